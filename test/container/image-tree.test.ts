/**
 * No Docker engine runs here, so this test replays server/Dockerfile's own steps (its COPY
 * lines, honouring .dockerignore, and its RUN lines, with `npm ci` standing in as a link to the
 * installed node_modules) and checks the /app tree the image would have, plus the static
 * properties a reviewer (or hadolint) would check.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildArtifacts } from '../../server/src/artifacts/build.ts';
import { parseDockerfile, replayDockerfile } from './dockerfile.ts';
import type { Stage } from './dockerfile.ts';
import { listTree } from '../support/files.ts';

const REPO = resolve(import.meta.dirname, '../..');
const STARTUP_TIMEOUT_MS = 45_000;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');


describe('server/Dockerfile', () => {
  let stages: Stage[];
  let work: string;
  let app: string;

  before(async () => {
    stages = parseDockerfile(await readFile(join(REPO, 'server/Dockerfile'), 'utf8'));
    work = await mkdtemp(join(tmpdir(), 'aetherv-image-'));
    const { roots } = await replayDockerfile(stages, {
      context: REPO, work, nodeModules: join(REPO, 'node_modules'), env: { SOURCE_DATE_EPOCH: '1735689600' },
    });
    app = join(roots.get(stages[stages.length - 1]!.name)!, 'app');
  });
  after(async () => rm(work, { recursive: true, force: true }));

  it('has three stages on pinned Debian Node 20 images, the last one slim', () => {
    assert.deepEqual(stages.map((s) => s.name), ['artifacts', 'deps', 'runtime']);
    for (const stage of stages) {
      assert.match(stage.base, /^node:20(\.\d+)*-bookworm(-slim)?$/, stage.base);
      assert.doesNotMatch(stage.base, /latest/);
    }
    assert.equal(stages[2]!.base, 'node:20-bookworm-slim');
    assert.ok(stages[0]!.instructions.some((i) => i.op === 'RUN' && i.args === 'npm run build:artifacts -- --out /src/artifacts'));
    assert.ok(stages[1]!.instructions.some((i) => i.op === 'RUN' && /^npm ci --omit=dev\b/.test(i.args)));
  });

  it('runs as a numeric non-root user, exposes 8000, checks /healthz and starts the CLI', () => {
    const runtime = stages[2]!.instructions;
    const users = runtime.filter((i) => i.op === 'USER');
    assert.equal(users.length, 1);
    assert.match(users[0]!.args, /^[1-9]\d*:[1-9]\d*$/, 'numeric uid:gid so runAsNonRoot can verify it');
    const userIndex = runtime.indexOf(users[0]!);
    assert.ok(runtime.findIndex((i) => i.op === 'CMD') > userIndex, 'CMD runs after USER');
    assert.ok(!runtime.slice(userIndex).some((i) => i.op === 'RUN'), 'nothing runs as root after USER');
    assert.deepEqual(runtime.filter((i) => i.op === 'EXPOSE').map((i) => i.args), ['8000']);
    const health = runtime.find((i) => i.op === 'HEALTHCHECK')!;
    assert.match(health.args, /^CMD \["node", "-e", .*\/healthz/);
    assert.doesNotMatch(health.args, /curl|wget/, 'the slim image has neither');
    const cmd = runtime.find((i) => i.op === 'CMD')!;
    assert.deepEqual(JSON.parse(cmd.args), ['node', '--import', 'tsx', 'server/src/cli/main.ts', 'start']);
    assert.match(runtime.filter((i) => i.op === 'ENV').map((i) => i.args).join(' '), /ARTIFACTS_BASE_PATH=\/app\/artifacts/);
    assert.ok(runtime.some((i) => i.op === 'WORKDIR' && i.args === '/app'));
  });

  it('avoids the usual hadolint findings', () => {
    for (const stage of stages) {
      for (const step of stage.instructions) {
        assert.notEqual(step.op, 'ADD', `line ${step.line}: COPY, not ADD`);
        if (step.op === 'WORKDIR') assert.match(step.args, /^\//, `line ${step.line}: absolute WORKDIR`);
        if (step.op === 'RUN' && /apt-get install/.test(step.args)) {
          assert.match(step.args, /apt-get update/, `line ${step.line}: update in the same layer`);
          assert.match(step.args, /-y --no-install-recommends/, `line ${step.line}`);
          assert.match(step.args, /rm -rf \/var\/lib\/apt\/lists\/\*/, `line ${step.line}: apt lists cleaned`);
        }
        if (step.op === 'RUN') assert.doesNotMatch(step.args, /\bsudo\b|\bcd\s/, `line ${step.line}`);
        if (step.op === 'COPY' && stage.name === 'runtime') assert.ok('chown' in step.flags, `line ${step.line}: explicit owner`);
      }
    }
  });

  it('lays out /app/artifacts exactly as the seed lists, consistent with its manifest', async () => {
    const artifacts = join(app, 'artifacts');
    const tree = await listTree(artifacts);
    assert.ok(tree.includes('isos/WindowsProvisioning.iso') && tree.includes('isos/LinuxProvisioning.iso'));
    assert.deepEqual(tree.filter((p) => p.startsWith('isos/')), ['isos/LinuxProvisioning.iso', 'isos/WindowsProvisioning.iso']);
    assert.ok(tree.some((p) => /^scripts\/[^/]+\.ps1$/.test(p)), 'host scripts at scripts/*.ps1');
    assert.deepEqual(tree.filter((p) => !p.startsWith('isos/') && !p.startsWith('scripts/')), ['manifest.json', 'version']);
    const version = await readFile(join(REPO, 'version'));
    assert.ok((await readFile(join(artifacts, 'version'))).equals(version));
    const manifest = JSON.parse(await readFile(join(artifacts, 'manifest.json'), 'utf8')) as { version: string; files: { name: string; sha256: string; size: number }[] };
    assert.equal(manifest.version, version.toString('utf8').trim());
    const listed = manifest.files.map((f) => (f.name.endsWith('.iso') ? `isos/${f.name}` : `scripts/${f.name}`)).sort();
    assert.deepEqual(listed, tree.filter((p) => p.startsWith('isos/') || p.startsWith('scripts/')));
    for (const file of manifest.files) {
      const data = await readFile(join(artifacts, file.name.endsWith('.iso') ? 'isos' : 'scripts', file.name));
      assert.equal(sha256(data), file.sha256, file.name);
      assert.equal(data.length, file.size, file.name);
    }
    // Same sources + same SOURCE_DATE_EPOCH → the image's artifacts are a local build's, byte for byte
    // (a COPY missing from stage 1 would change an ISO or drop scripts and show up here).
    const local = join(work, 'local-build');
    await buildArtifacts({ root: REPO, outDir: local, timestamp: new Date(1735689600 * 1000) });
    assert.equal(await readFile(join(artifacts, 'manifest.json'), 'utf8'), await readFile(join(local, 'manifest.json'), 'utf8'));
  });

  it('carries what the service needs at run time, and no tests or local state', async () => {
    for (const path of ['package.json', 'version', 'server/src/cli/main.ts', 'server/src/main.ts', 'Schemas', 'simulator/src', 'node_modules/tsx/package.json']) {
      await access(join(app, path));
    }
    const files = (await listTree(app)).filter((p) => !p.startsWith('node_modules/'));
    assert.deepEqual(files.filter((p) => /\.test\.ts$|^data\/.|^\.git\/|^test\//.test(p)), []);
    assert.ok(!files.some((p) => p.startsWith('server/k8s/') || p === 'server/Dockerfile'));
  });

  it('starts from that tree with the image\'s CMD, passes its HEALTHCHECK and serves the artifacts it carries', async () => {
    const runtime = stages[stages.length - 1]!.instructions;
    // The image's environment, with /app paths pointing into the replayed tree, listening on loopback.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: app, TMPDIR: tmpdir() };
    for (const step of runtime.filter((i) => i.op === 'ENV')) {
      for (const [, key, value] of step.args.matchAll(/(\w+)=(\S*)/g)) {
        env[key!] = value!.includes('${') ? '' : value!.replace(/^\/app(?=\/|$)/, app);
      }
    }
    Object.assign(env, { HOST: '127.0.0.1', PORT: '0' });
    const [command, ...args] = JSON.parse(runtime.find((i) => i.op === 'CMD')!.args) as string[];
    assert.equal(command, 'node');
    const child = spawn(process.execPath, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "Server listening" within ${STARTUP_TIMEOUT_MS} ms:\n${output}`)), STARTUP_TIMEOUT_MS);
        const onData = (chunk: Buffer) => {
          output += chunk.toString('utf8');
          const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolveUrl(match[1]!);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`the service exited (${code}) before listening:\n${output}`));
        });
      });
      // The HEALTHCHECK command itself, as Docker would run it inside the container.
      const health = runtime.find((i) => i.op === 'HEALTHCHECK')!;
      const [healthCommand, ...healthArgs] = JSON.parse(health.args.replace(/^CMD /, '')) as string[];
      assert.equal(healthCommand, 'node');
      const port = new URL(url).port;
      const healthy = await new Promise<number | null>((done) => {
        spawn(process.execPath, healthArgs, { env: { ...env, PORT: port }, stdio: 'ignore' }).once('exit', done);
      });
      assert.equal(healthy, 0, 'HEALTHCHECK passes');
      const manifest = await fetch(`${url}/agent/manifest.json`);
      assert.equal(manifest.status, 200, 'app.ts registers agentArtifactRoutes');
      assert.equal(await manifest.text(), await readFile(join(app, 'artifacts', 'manifest.json'), 'utf8'));
      const iso = await fetch(`${url}/agent/LinuxProvisioning.iso`);
      assert.equal(iso.status, 200);
      assert.ok(Buffer.from(await iso.arrayBuffer()).equals(await readFile(join(app, 'artifacts', 'isos', 'LinuxProvisioning.iso'))));
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    }
  });
});
