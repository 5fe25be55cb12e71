import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { buildArtifacts } from '../artifacts/build.ts';
import type { Manifest } from '../artifacts/manifest.ts';
import { agentArtifactRoutes, parseRange } from './agent-artifacts.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

function assertProblem(response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number): Record<string, unknown> {
  assert.equal(response.statusCode, status);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = JSON.parse(response.body) as Record<string, unknown>;
  assert.equal(problem.status, status);
  for (const key of ['type', 'title', 'detail']) assert.equal(typeof problem[key], 'string', key);
  return problem;
}

describe('GET /agent/…', () => {
  let root: string;
  let outDir: string;
  let app: FastifyInstance;
  let manifest: Manifest;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'aetherv-agent-routes-'));
    outDir = join(root, 'artifacts');
    await writeTree(root, {
      version: '3.1.004\n',
      'Powershell/AetherV.Agent.ps1': 'Write-Output "agent"\n',
      'Powershell/bootstrap/Install-Agent.ps1': '# install\n'.repeat(100),
      'Linux/user-data': '#cloud-config\n',
      'Linux/meta-data': 'instance-id: x\n',
      'Windows/unattend.xml': '<unattend/>',
    });
    manifest = (await buildArtifacts({ root, outDir, timestamp: new Date(0) })).manifest;
    app = Fastify();
    await app.register(agentArtifactRoutes, { artifactsPath: outDir });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves the manifest as stored, with its SHA-256 as ETag', async () => {
    const stored = await readFile(join(outDir, 'manifest.json'));
    const response = await app.inject({ method: 'GET', url: '/agent/manifest.json' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(response.headers.etag, `"${sha256(stored)}"`);
    assert.equal(response.headers['cache-control'], 'no-cache');
    assert.equal(Number(response.headers['content-length']), stored.length);
    assert.ok(response.rawPayload.equals(stored));
    assert.deepEqual((JSON.parse(response.body) as Manifest).files.map((f) => f.name), [
      'AetherV.Agent.ps1', 'LinuxProvisioning.iso', 'WindowsProvisioning.iso', 'bootstrap/Install-Agent.ps1',
    ]);
    const revalidated = await app.inject({ method: 'GET', url: '/agent/manifest.json', headers: { 'if-none-match': response.headers.etag as string } });
    assert.equal(revalidated.statusCode, 304);
    assert.equal(revalidated.body, '');
  });

  it('serves every listed file byte for byte with the right headers', async () => {
    const types: Record<string, string> = { ps1: 'text/plain; charset=utf-8', iso: 'application/x-iso9660-image' };
    for (const entry of manifest.files) {
      const response = await app.inject({ method: 'GET', url: `/agent/${entry.name}` });
      assert.equal(response.statusCode, 200, entry.name);
      assert.equal(sha256(response.rawPayload), entry.sha256, entry.name);
      assert.equal(Number(response.headers['content-length']), entry.size);
      assert.equal(response.headers.etag, `"${entry.sha256}"`);
      assert.equal(response.headers['cache-control'], 'no-cache');
      assert.equal(response.headers['content-type'], types[entry.name.split('.').pop()!]);
    }
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const iso = manifest.files.find((f) => f.name === 'LinuxProvisioning.iso')!;
    const response = await app.inject({ method: 'HEAD', url: '/agent/LinuxProvisioning.iso' });
    assert.equal(response.statusCode, 200);
    assert.equal(Number(response.headers['content-length']), iso.size);
    assert.equal(response.headers.etag, `"${iso.sha256}"`);
    assert.equal(response.rawPayload.length, 0);
    const head = await app.inject({ method: 'HEAD', url: '/agent/manifest.json' });
    assert.equal(head.statusCode, 200);
    assert.ok(Number(head.headers['content-length']) > 0);
    assert.equal(head.rawPayload.length, 0);
  });

  it('serves single byte ranges (206/416) and 304 on a matching ETag', async () => {
    const full = await readFile(join(outDir, 'isos', 'WindowsProvisioning.iso'));
    const part = await app.inject({ method: 'GET', url: '/agent/WindowsProvisioning.iso', headers: { range: 'bytes=32768-32773' } });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 32768-32773/${full.length}`);
    assert.ok(part.rawPayload.equals(full.subarray(32768, 32774)));
    assert.equal(part.rawPayload.subarray(1, 6).toString('latin1'), 'CD001');
    const tail = await app.inject({ method: 'GET', url: '/agent/WindowsProvisioning.iso', headers: { range: 'bytes=-100' } });
    assert.ok(tail.rawPayload.equals(full.subarray(full.length - 100)));
    const beyond = await app.inject({ method: 'GET', url: '/agent/WindowsProvisioning.iso', headers: { range: `bytes=${full.length}-` } });
    assert.equal(beyond.statusCode, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${full.length}`);
    const cached = await app.inject({ method: 'GET', url: '/agent/AetherV.Agent.ps1', headers: { 'if-none-match': `"${manifest.files[0]!.sha256}"` } });
    assert.equal(cached.statusCode, 304);
    assert.deepEqual(parseRange('bytes=0-1,4-5', 10), null);
    assert.deepEqual(parseRange('bytes=2-', 10), { start: 2, end: 9 });
    assert.deepEqual(parseRange('bytes=5-2', 10), 'unsatisfiable');
  });

  it('serves nothing the manifest does not list: no traversal, no listing', async () => {
    for (const url of [
      '/agent/version', '/agent/', '/agent/scripts/AetherV.Agent.ps1', '/agent/isos/LinuxProvisioning.iso',
      '/agent/..%2fversion', '/agent/..%2F..%2Fversion', '/agent/bootstrap', '/agent/bootstrap/',
      '/agent/aetherv.agent.ps1', '/agent/AetherV.Agent.ps1/', '/agent//AetherV.Agent.ps1', '/agent/%2FAetherV.Agent.ps1',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      assertProblem(response, 404);
      assert.ok(!response.body.includes('Write-Output'), url);
    }
    // Dot segments are resolved before routing: these leave /agent/ and reach no route at all.
    for (const url of ['/agent/../artifacts/manifest.json', '/agent/%2e%2e/%2e%2e/etc/passwd']) {
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
  });

  it('refuses to serve a file that no longer matches its manifest entry', async () => {
    const path = join(outDir, 'scripts', 'bootstrap', 'Install-Agent.ps1');
    const original = await readFile(path);
    const tampered = Buffer.from(original);
    tampered[0] = 0x40; // same size, different bytes
    await writeFile(path, tampered);
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    try {
      const problem = assertProblem(await app.inject({ method: 'GET', url: '/agent/bootstrap/Install-Agent.ps1' }), 500);
      assert.match(String(problem.detail), /SHA-256/);
      await writeFile(path, original.subarray(1));
      assertProblem(await app.inject({ method: 'GET', url: '/agent/bootstrap/Install-Agent.ps1' }), 500);
    } finally {
      await writeFile(path, original);
      await utimes(path, new Date(), new Date(Date.now() + 10_000));
    }
    assert.equal((await app.inject({ method: 'GET', url: '/agent/bootstrap/Install-Agent.ps1' })).statusCode, 200);
  });

  it('follows a rebuild: new manifest, new ETags', async () => {
    const before = await app.inject({ method: 'GET', url: '/agent/manifest.json' });
    await writeFile(join(root, 'Powershell', 'AetherV.Agent.ps1'), 'Write-Output "agent v2"\n');
    await buildArtifacts({ root, outDir, timestamp: new Date(0) });
    const after = await app.inject({ method: 'GET', url: '/agent/manifest.json' });
    assert.notEqual(after.headers.etag, before.headers.etag);
    const script = await app.inject({ method: 'GET', url: '/agent/AetherV.Agent.ps1' });
    assert.equal(script.body, 'Write-Output "agent v2"\n');
  });

  it('answers 503 problems while artifacts are not built', async () => {
    const empty = Fastify();
    await empty.register(agentArtifactRoutes, { artifactsPath: join(root, 'nowhere') });
    try {
      assertProblem(await empty.inject({ method: 'GET', url: '/agent/manifest.json' }), 503);
      assertProblem(await empty.inject({ method: 'GET', url: '/agent/AetherV.Agent.ps1' }), 503);
    } finally {
      await empty.close();
    }
  });
});
