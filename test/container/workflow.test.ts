import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');

interface Step { name?: string; uses?: string; run?: string; id?: string; with?: Record<string, unknown> }
interface Workflow {
  on: { push: { branches: string[]; paths: string[] }; workflow_dispatch: unknown };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[]; 'runs-on': string }>;
}

async function loadWorkflow(): Promise<Workflow> {
  return parse(await readFile(join(REPO, '.github/workflows/build-server.yml'), 'utf8')) as Workflow;
}

describe('.github/workflows/build-server.yml', () => {
  it('runs on pushes to server touching the image inputs, and by hand', async () => {
    const workflow = await loadWorkflow();
    assert.deepEqual(workflow.on.push.branches, ['server']);
    assert.ok('workflow_dispatch' in workflow.on);
    for (const path of ['server/**', 'Windows/**', 'Linux/**', 'Powershell/**', 'Schemas/**', 'version', 'package.json', 'package-lock.json']) {
      assert.ok(workflow.on.push.paths.includes(path), path);
    }
    // Every folder the Dockerfile copies from the context is a trigger.
    const dockerfile = await readFile(join(REPO, 'server/Dockerfile'), 'utf8');
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(\S+) /gm)) {
      const top = source!.split('/')[0]!;
      if (['bin', 'tsconfig.json'].includes(top)) continue; // launcher shim and compiler settings: no behaviour of the image
      assert.ok(workflow.on.push.paths.some((p) => p === top || p.startsWith(`${top}/`)), `COPY ${source} is a trigger`);
    }
    assert.equal(workflow.permissions.packages, 'write');
  });

  it('tests with Node 20 and the Debian packages CI uses, before building anything', async () => {
    const steps = Object.values((await loadWorkflow()).jobs)[0]!.steps;
    const node = steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
    assert.equal(String(node.with?.['node-version']), '20');
    const at = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s.run ?? ''));
    assert.ok(at(/npm ci/) >= 0 && at(/npm ci/) < at(/npm test/), 'npm ci, then npm test');
    const dotnet = steps.findIndex((s) => s.uses?.startsWith('actions/setup-dotnet@'));
    assert.ok(dotnet >= 0 && dotnet < at(/npm run build:pwsh/) && at(/npm run build:pwsh/) < at(/npm test/), 'the .NET SDK, then pwsh, then npm test');
    const build = steps.findIndex((s) => s.uses?.startsWith('docker/build-push-action@'));
    assert.ok(at(/npm test/) < build, 'the image is built only after the tests pass');
    const apt = steps.find((s) => /apt-get install/.test(s.run ?? ''))!.run!;
    const ciRun = await readFile(join(REPO, '.ci/run'), 'utf8');
    const ciPackages = /packages=\(([^)]*)\)/.exec(ciRun)![1]!.split(/\s+/).filter(Boolean);
    for (const pkg of ciPackages.filter((p) => !p.startsWith('postgresql'))) { // PostgreSQL comes as a service container
      assert.match(apt, new RegExp(`(^|\\s)${pkg.replace(/[+.]/g, '\\$&')}(\\s|$)`), `${pkg} from .ci/run`);
    }
    for (const step of steps.filter((s) => s.uses !== undefined)) assert.match(step.uses!, /@v\d+$/, `${step.uses} pinned to a major version`);
  });

  it('pushes ghcr.io/<owner>/aetherv-orchestrator:<version> and :latest from the repository root', async () => {
    const steps = Object.values((await loadWorkflow()).jobs)[0]!.steps;
    assert.ok(steps.some((s) => s.uses?.startsWith('docker/setup-buildx-action@')));
    const login = steps.find((s) => s.uses?.startsWith('docker/login-action@'))!;
    assert.equal(login.with?.registry, 'ghcr.io');
    assert.equal(login.with?.password, '${{ secrets.GITHUB_TOKEN }}');
    const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
    assert.equal(build.with?.context, '.');
    assert.equal(build.with?.file, 'server/Dockerfile');
    assert.equal(build.with?.push, true);
    const tags = String(build.with?.tags).trim().split('\n').map((t) => t.trim());
    assert.deepEqual(tags, ['${{ steps.meta.outputs.image }}:${{ steps.meta.outputs.version }}', '${{ steps.meta.outputs.image }}:latest']);
    assert.match(String(build.with?.['build-args']), /SOURCE_DATE_EPOCH=\$\{\{ steps\.meta\.outputs\.source_date_epoch \}\}/);
  });

  it('reads the version and the lowercase image name the way the meta step says', async () => {
    const meta = Object.values((await loadWorkflow()).jobs)[0]!.steps.find((s) => s.id === 'meta')!;
    const script = meta.run!.replace('${{ github.repository_owner }}', 'CharlesPick');
    assert.doesNotMatch(script, /\$\{\{/, 'no other expression left to substitute');
    const out = await mkdtemp(join(tmpdir(), 'aetherv-gha-'));
    try {
      await run('bash', ['-e', '-c', script], { cwd: REPO, env: { ...process.env, GITHUB_OUTPUT: join(out, 'output') } });
      const outputs = Object.fromEntries((await readFile(join(out, 'output'), 'utf8')).trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
      assert.equal(outputs.version, (await readFile(join(REPO, 'version'), 'utf8')).trim());
      assert.equal(outputs.image, 'ghcr.io/charlespick/aetherv-orchestrator');
      assert.match(outputs.source_date_epoch!, /^\d+$/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
