/**
 * The bootstrap scripts (DESIGN §4) run for real: the server's own BootstrapRunner builds each
 * call — the loader's `powershell.exe … -EncodedCommand` command line, the script and then the
 * params as JSON on stdin — and checks params and results against Schemas/bootstrap; the real
 * pwsh runs it (PwshHost) against a
 * temporary folder standing for the host's C: drive; pull-mode downloads come from a real HTTP
 * server on loopback that can also serve wrong bytes or cut a download short.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AgentClient } from '../../server/src/agent/client.ts';
import { BOOTSTRAP_DIRECTORY, BootstrapRunner } from '../../server/src/agent/bootstrap.ts';
import { COMMAND_LINE_LIMIT } from '../../server/src/agent/command.ts';
import type { AgentManifest } from '../../server/src/agent/types.generated.ts';
import { isAppError } from '../../server/src/errors.ts';
import { listTree } from '../support/files.ts';
import { PwshHost } from './pwsh-host.ts';

const INSTALL = 'C:\\Program Files\\Aether-V';
const HOST = 'hv-pwsh';

/** What the HTTP server offers: name → bytes; `/ok/` serves them, `/cut/` stops half-way. */
const served = new Map<string, Buffer>();
let server: Server;
let baseUrl: string;
let root: string;
let cDrive: string;
let installPath: string;
let runner: BootstrapRunner;

function file(name: string, text: string): { name: string; sha256: string; size: number; data: Buffer } {
  const data = Buffer.from(text, 'utf8');
  return { name, sha256: createHash('sha256').update(data).digest('hex'), size: data.length, data };
}

const newFiles = [
  file('AetherV.Agent.ps1', '# agent 2.0.0\n'),
  file('AetherV.Common.ps1', '# common 2.0.0\n'),
  file('isos/WindowsProvisioning.iso', 'ISO-2.0.0 '.repeat(5000)),
];
function manifest(files = newFiles, version = '2.0.0'): AgentManifest {
  const [first, ...rest] = files.map(({ name, sha256, size }) => ({ name, sha256, size }));
  if (first === undefined) throw new Error('a manifest lists at least one file');
  return { version, files: [first, ...rest] };
}

/** The previous install, 1.0.0, as a host would have it. */
async function installPrevious(): Promise<Map<string, string>> {
  await mkdir(installPath, { recursive: true });
  await writeFile(join(installPath, 'AetherV.Agent.ps1'), '# agent 1.0.0\n');
  await writeFile(join(installPath, 'Old.ps1'), '# only in 1.0.0\n');
  await writeFile(join(installPath, 'version'), '1.0.0');
  return snapshot(installPath);
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await listTree(dir)) out.set(name, await readFile(join(dir, name), 'utf8'));
  return out;
}

/** Files and folders next to the install (staging leftovers would show up here). */
const siblings = async () => (await readdir(dirname(installPath))).sort();

async function expectFailure(promise: Promise<unknown>, code: string): Promise<{ details?: Record<string, unknown>; retryable: boolean }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAppError(error), String(error));
    const details = error.details as { agentCode?: string; agentDetails?: Record<string, unknown> } | undefined;
    assert.equal(details?.agentCode, code, error.message);
    return { details: details?.agentDetails, retryable: error.retryable };
  }
  assert.fail(`expected ${code}`);
}

before(async () => {
  server = createServer((req, res) => {
    const [, mode, ...rest] = (req.url ?? '').split('/');
    const data = served.get(decodeURIComponent(rest.join('/')));
    if (data === undefined || (mode !== 'ok' && mode !== 'cut')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
    if (mode === 'ok') {
      res.end(data);
      return;
    }
    // An interrupted download: half the announced bytes, then the connection drops.
    res.write(data.subarray(0, Math.floor(data.length / 2)), () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  root = await mkdtemp(join(tmpdir(), 'aetherv-bootstrap-pwsh-'));
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  cDrive = await mkdtemp(join(root, 'c-'));
  installPath = join(cDrive, 'Program Files', 'Aether-V');
  served.clear();
  for (const f of newFiles) served.set(f.name, f.data);
  const client = new AgentClient({ transports: { get: (host) => new PwshHost(host, cDrive) }, retry: { retries: 0 } });
  runner = new BootstrapRunner({ client, transportKind: () => 'ssh' });
});

describe('Get-AgentVersion.ps1 in pwsh', () => {
  it('reports no install on a host without one', async () => {
    const result = await runner.run(HOST, 'version', { installDirectory: INSTALL });
    assert.equal(result.installed, false);
    assert.equal(result.version, null);
    assert.equal(result.installDirectory, INSTALL);
  });

  it('reports the installed version, trimmed', async () => {
    await installPrevious();
    await writeFile(join(installPath, 'version'), '1.0.0\r\n');
    const result = await runner.run(HOST, 'version', { installDirectory: `${INSTALL}\\` });
    assert.deepEqual([result.installed, result.version, result.installDirectory], [true, '1.0.0', INSTALL]);
  });

  it('reads a version file written with a UTF-8 or UTF-16 byte order mark', async () => {
    await installPrevious();
    for (const bytes of [Buffer.from('\uFEFF1.0.0\r\n', 'utf8'), Buffer.from('\uFEFF1.0.0\r\n', 'utf16le')]) {
      await writeFile(join(installPath, 'version'), bytes);
      const result = await runner.run(HOST, 'version', { installDirectory: INSTALL });
      assert.deepEqual([result.installed, result.version], [true, '1.0.0'], bytes.toString('hex'));
    }
  });

  it('reports no usable install when the version file is empty, holds only NULs, or is not a file', async () => {
    await installPrevious();
    for (const content of ['', '\0\0\0', ' \r\n']) {
      await writeFile(join(installPath, 'version'), content);
      const result = await runner.run(HOST, 'version', { installDirectory: INSTALL });
      assert.deepEqual([result.installed, result.version], [false, null], JSON.stringify(content));
    }
    await rm(join(installPath, 'version'));
    await mkdir(join(installPath, 'version'));
    const result = await runner.run(HOST, 'version', { installDirectory: INSTALL });
    assert.deepEqual([result.installed, result.version], [false, null]);
  });

  it('reports a version without the agent script as not installed', async () => {
    await installPrevious();
    await rm(join(installPath, 'AetherV.Agent.ps1'));
    const result = await runner.run(HOST, 'version', { installDirectory: INSTALL });
    assert.deepEqual([result.installed, result.version], [false, '1.0.0']);
  });
});

describe('Install-Agent.ps1 (pull) in pwsh', () => {
  it('downloads every file, checks it, swaps the install in and writes version', async () => {
    await installPrevious();
    const result = await runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'pull', baseUrl: `${baseUrl}/ok/`, manifest: manifest() });
    assert.deepEqual([result.version, result.previousVersion, result.mode], ['2.0.0', '1.0.0', 'pull']);
    const installed = await snapshot(installPath);
    assert.deepEqual([...installed.keys()], [...newFiles.map((f) => f.name), 'version'].sort());
    for (const f of newFiles) assert.equal(installed.get(f.name), f.data.toString('utf8'), f.name);
    assert.equal(installed.get('version'), '2.0.0');
    assert.ok(!(await siblings()).some((name) => name.includes('.staging-')), 'no staging folder is left');
    const after = await runner.run(HOST, 'version', { installDirectory: INSTALL });
    assert.deepEqual([after.installed, after.version], [true, '2.0.0']);
  });

  it('installs on a host that had no agent (previousVersion null)', async () => {
    const result = await runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'pull', baseUrl: `${baseUrl}/ok`, manifest: manifest() });
    assert.equal(result.previousVersion, null);
    assert.equal(await readFile(join(installPath, 'version'), 'utf8'), '2.0.0');
  });

  it('installs over a previous install whose version file is empty', async () => {
    await installPrevious();
    await writeFile(join(installPath, 'version'), '');
    const result = await runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'pull', baseUrl: `${baseUrl}/ok`, manifest: manifest() });
    assert.equal(result.version, '2.0.0');
    assert.equal(await readFile(join(installPath, 'version'), 'utf8'), '2.0.0');
  });

  it('refuses a file whose SHA-256 differs, leaving the previous install as it was', async () => {
    const previous = await installPrevious();
    served.set('AetherV.Common.ps1', Buffer.from('# common 2.0.0 tampered\n'));
    const failure = await expectFailure(runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'pull', baseUrl: `${baseUrl}/ok`, manifest: manifest() }), 'CHECKSUM_MISMATCH');
    assert.equal(failure.details?.file, 'AetherV.Common.ps1');
    assert.deepEqual(await snapshot(installPath), previous);
    assert.deepEqual(await siblings(), ['Aether-V']);
    const after = await runner.run(HOST, 'version', { installDirectory: INSTALL });
    assert.deepEqual([after.installed, after.version], [true, '1.0.0']);
  });

  it('refuses a download cut short, leaving the previous install as it was', async () => {
    const previous = await installPrevious();
    const failure = await expectFailure(runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'pull', baseUrl: `${baseUrl}/cut`, manifest: manifest() }), 'DOWNLOAD_FAILED');
    assert.equal(failure.details?.file, newFiles[0]?.name);
    assert.equal(failure.retryable, true);
    assert.deepEqual(await snapshot(installPath), previous);
    assert.deepEqual(await siblings(), ['Aether-V']);
  });

  it('refuses a file the server does not have, leaving the previous install as it was', async () => {
    const previous = await installPrevious();
    served.delete('isos/WindowsProvisioning.iso');
    const failure = await expectFailure(runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'pull', baseUrl: `${baseUrl}/ok`, manifest: manifest() }), 'DOWNLOAD_FAILED');
    assert.equal(failure.details?.file, 'isos/WindowsProvisioning.iso');
    assert.deepEqual(await snapshot(installPath), previous);
    assert.deepEqual(await siblings(), ['Aether-V']);
  });

  it('writes version itself, last: after the swap and after every file', async () => {
    await installPrevious();
    // A `version` the manifest lists is not what ends up in the install: the script writes it
    // from manifest.version once everything else is in place.
    const stray = file('version', '0.0.1-downloaded');
    served.set(stray.name, stray.data);
    await runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'pull', baseUrl: `${baseUrl}/ok`, manifest: manifest([...newFiles, stray]) });
    assert.equal(await readFile(join(installPath, 'version'), 'utf8'), '2.0.0');
    // The order, from the file system's own clock: renaming the staging folder into place sets
    // the folder's ctime, every downloaded file was written before, the version file after.
    const folder = await stat(installPath, { bigint: true });
    const version = await stat(join(installPath, 'version'), { bigint: true });
    for (const f of newFiles) {
      const written = await stat(join(installPath, f.name), { bigint: true });
      assert.ok(written.mtimeNs <= folder.ctimeNs, `${f.name} was written before the swap`);
    }
    assert.ok(version.mtimeNs >= folder.ctimeNs, 'version was written after the swap');
  });
});

describe('Stage-AgentFile.ps1 and Install-Agent.ps1 (push) in pwsh', () => {
  const stagingId = 'c0ffee00-1111-4222-8333-444455556666';
  const stagingPath = () => `${installPath}.staging-${stagingId}`;

  async function stageAll(files: typeof newFiles, chunkBytes: number): Promise<void> {
    for (const f of files) {
      for (let offset = 0; offset === 0 || offset < f.data.length; offset += chunkBytes) {
        const dataBase64 = f.data.subarray(offset, offset + chunkBytes).toString('base64');
        const result = await runner.run(HOST, 'stage', { installDirectory: INSTALL, stagingId, name: f.name, offset, dataBase64 });
        assert.equal(result.stagedBytes, Math.min(f.data.length, offset + chunkBytes), `${f.name} @${offset}`);
      }
    }
  }

  it('stages files in chunks (an empty file in one empty chunk) and installs them', async () => {
    await installPrevious();
    const files = [...newFiles, file('empty.txt', '')];
    await stageAll(files, 16 * 1024);
    assert.equal((await readFile(join(stagingPath(), 'isos', 'WindowsProvisioning.iso'))).length, newFiles[2]?.size);
    const result = await runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'push', stagingId, manifest: manifest(files) });
    assert.deepEqual([result.version, result.previousVersion, result.mode], ['2.0.0', '1.0.0', 'push']);
    const installed = await snapshot(installPath);
    for (const f of files) assert.equal(installed.get(f.name), f.data.toString('utf8'), f.name);
    assert.equal(installed.get('version'), '2.0.0');
    assert.ok(!existsSync(stagingPath()), 'the staging folder became the install');
  });

  it('refuses a chunk at the wrong offset and restarts the file at offset 0', async () => {
    const data = Buffer.from('0123456789');
    const stage = (offset: number, bytes: Buffer) => runner.run(HOST, 'stage', { installDirectory: INSTALL, stagingId, name: 'a/b.txt', offset, dataBase64: bytes.toString('base64') });
    assert.equal((await stage(0, data.subarray(0, 4))).stagedBytes, 4);
    const failure = await expectFailure(stage(8, data.subarray(8)), 'STAGING_INCOMPLETE');
    assert.deepEqual(failure.details, { file: 'a/b.txt', stagedBytes: 4 });
    assert.equal((await stage(4, data.subarray(4))).stagedBytes, 10);
    assert.equal(await readFile(join(stagingPath(), 'a', 'b.txt'), 'utf8'), '0123456789');
    assert.equal((await stage(0, Buffer.from('xy'))).stagedBytes, 2);
    assert.equal(await readFile(join(stagingPath(), 'a', 'b.txt'), 'utf8'), 'xy');
  });

  it('refuses to install when a file was not staged, leaving the previous install as it was', async () => {
    const previous = await installPrevious();
    await stageAll(newFiles.slice(0, 2), 1024);
    const failure = await expectFailure(runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'push', stagingId, manifest: manifest() }), 'STAGING_INCOMPLETE');
    assert.equal(failure.details?.file, 'isos/WindowsProvisioning.iso');
    assert.deepEqual(await snapshot(installPath), previous);
  });

  it('refuses a staged file whose SHA-256 differs, leaving the previous install as it was', async () => {
    const previous = await installPrevious();
    await stageAll([newFiles[0]!, file('AetherV.Common.ps1', '# common 2.0.0 tampered\n'), newFiles[2]!], 4096);
    const failure = await expectFailure(runner.run(HOST, 'install', { installDirectory: INSTALL, mode: 'push', stagingId, manifest: manifest() }), 'CHECKSUM_MISMATCH');
    assert.equal(failure.details?.file, 'AetherV.Common.ps1');
    assert.deepEqual(await snapshot(installPath), previous);
  });
});

describe('bootstrap scripts that grow, over SSH, in pwsh', () => {
  it('runs a version script grown past what cmd.exe could carry on a command line', async () => {
    // The real scripts, the version script with 12,000 characters of statements added: sent
    // inside the command line, as before the loader, it could not have crossed cmd.exe (SSH).
    const dir = await mkdtemp(join(root, 'grown-'));
    await cp(BOOTSTRAP_DIRECTORY, dir, { recursive: true });
    const path = join(dir, 'Get-AgentVersion.ps1');
    const grown = (await readFile(path, 'utf8')).replace('Set-StrictMode', `${'$null = 1234567\r\n'.repeat(750)}Set-StrictMode`);
    assert.ok(grown.length > COMMAND_LINE_LIMIT.ssh + 4000);
    await writeFile(path, grown);
    const host = new PwshHost(HOST, cDrive);
    const client = new AgentClient({ transports: { get: () => host }, retry: { retries: 0 } });
    const grownRunner = new BootstrapRunner({ client, transportKind: () => 'ssh', directory: dir });
    await installPrevious();
    const result = await grownRunner.run(HOST, 'version', { installDirectory: INSTALL });
    assert.deepEqual([result.installed, result.version], [true, '1.0.0']);
    assert.equal(host.runs[0]?.script, grown, 'the host ran the grown script, whole');
  });
});
