/**
 * The bootstrap calls as the orchestrator makes them (DESIGN §3): the loader on the command line
 * (-EncodedCommand whose first line is the loader's marker), the script as base64 on stdin's
 * first line, then its input JSON. Version, install in pull mode over real HTTP from a loopback
 * server (checksums, a corrupted download keeps the old install), push mode (stage chunks, then
 * install), and the loader's refusals.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFleet, REPOSITORY_ROOT, type Fleet, type SimulatedHost } from './fleet.ts';
import { schemas } from './schemas.ts';
import { AGENT_COMMAND, callAgent, runCommand } from './testing.ts';

const DIR = 'C:\\Program Files\\Aether-V';
const served = new Map<string, Buffer>();
const requests: string[] = [];
let server: Server;
let baseUrl: string;
let fleet: Fleet;

// The simulator shares no code with the server, so this stands in for the server's loader
// (server/src/agent/bootstrap-loader.ts): the simulated host goes by its first line only; the
// orchestrator's own loader reaches it in the deployment tests (test/deployment/).
const LOADER = '# aetherv-bootstrap-loader\r\n$r = [IO.StreamReader]::new([Console]::OpenStandardInput())\r\n';
const LOADER_COMMAND = `powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${Buffer.from(LOADER, 'utf16le').toString('base64')}`;

/** A script's line on the loader's stdin: base64 of its UTF-8 text. */
function scriptLine(marker: string): string {
  return Buffer.from(`# aetherv-bootstrap: ${marker}\r\nparam([string] $InputJson)\r\n# (the real script body lives in Powershell/bootstrap/)\r\n`, 'utf8').toString('base64');
}

function parseLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\r\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function bootstrap(host: SimulatedHost, marker: string, input: unknown) {
  const r = await runCommand(host, LOADER_COMMAND, `${scriptLine(marker)}\n${JSON.stringify(input)}`);
  assert.equal(r.code, 0, r.stderr);
  const lines = parseLines(r.stdout);
  const last = lines.at(-1)!;
  const v = schemas();
  assert.deepEqual(v.check(`bootstrap/${marker}.params.json`, input), [], 'params');
  assert.deepEqual(v.check('agent/envelope.result.json', last), [], 'result envelope');
  for (const l of lines.slice(0, -1)) assert.deepEqual(v.check('agent/envelope.log.json', l), []);
  if (last.ok) assert.deepEqual(v.check(`bootstrap/${marker}.result.json`, last.result), [], 'result');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return last as { ok: boolean; result: any; error: { code: string; details?: Record<string, unknown> } };
}

function manifest(version: string, files: Record<string, Buffer>) {
  return { version, files: Object.entries(files).map(([name, b]) => ({ name, sha256: createHash('sha256').update(b).digest('hex'), size: b.length })) };
}

before(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = served.get(decodeURIComponent((req.url ?? '').replace(/^\/agent\//, '')));
    if (!body) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent`;
  fleet = createFleet({ hosts: 2, vmsPerHost: 0, clusters: 1, seed: 9, timeScale: 0 });
});
after(async () => {
  await fleet.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('bootstrap scripts', () => {
  it('version reports a fresh host as not installed, with its modules', async () => {
    const r = await bootstrap(fleet.hosts[0]!, 'version', { installDirectory: DIR });
    assert.equal(r.ok, true);
    assert.equal(r.result.installed, false);
    assert.equal(r.result.version, null);
    assert.equal(r.result.hypervModule, true);
    assert.equal(r.result.clusterModule, true);
    assert.equal(r.result.computerName, fleet.hosts[0]!.name);
  });

  it('installs in pull mode over HTTP, then a corrupted download keeps the previous install', async () => {
    const host = fleet.hosts[0]!;
    const v1 = { 'AetherV.Agent.ps1': Buffer.from('# agent v1\r\n'), 'LinuxProvisioning.iso': Buffer.alloc(70_000, 7) };
    for (const [n, b] of Object.entries(v1)) served.set(n, b);
    const first = await bootstrap(host, 'install', { installDirectory: DIR, mode: 'pull', baseUrl, manifest: manifest('1.0.0', v1) });
    assert.equal(first.ok, true, JSON.stringify(first.error));
    assert.equal(first.result.previousVersion, null);
    assert.ok(requests.includes('/agent/AetherV.Agent.ps1') && requests.includes('/agent/LinuxProvisioning.iso'));
    assert.equal((await bootstrap(host, 'version', { installDirectory: DIR })).result.version, '1.0.0');
    assert.ok((await callAgent(host, 'host.info', {})).ok, 'the agent now answers');

    const v2 = { 'AetherV.Agent.ps1': Buffer.from('# agent v2\r\n'), 'LinuxProvisioning.iso': Buffer.alloc(70_000, 8) };
    served.set('AetherV.Agent.ps1', v2['AetherV.Agent.ps1']);
    served.set('LinuxProvisioning.iso', Buffer.concat([Buffer.alloc(69_999, 8), Buffer.from([9])])); // corrupted in transit
    const bad = await bootstrap(host, 'install', { installDirectory: DIR, mode: 'pull', baseUrl, manifest: manifest('2.0.0', v2) });
    assert.equal(bad.ok, false);
    assert.equal(bad.error.code, 'CHECKSUM_MISMATCH');
    assert.equal(bad.error.details?.file, 'LinuxProvisioning.iso');
    assert.equal((await bootstrap(host, 'version', { installDirectory: DIR })).result.version, '1.0.0');
    assert.equal((await callAgent(host, 'host.info', {})).result.agentVersion, '1.0.0');

    served.delete('LinuxProvisioning.iso');
    const missing = await bootstrap(host, 'install', { installDirectory: DIR, mode: 'pull', baseUrl, manifest: manifest('2.0.0', v2) });
    assert.equal(missing.error.code, 'DOWNLOAD_FAILED');
    assert.equal(missing.error.details?.status, 404);
    assert.equal((await bootstrap(host, 'version', { installDirectory: DIR })).result.version, '1.0.0');

    served.set('LinuxProvisioning.iso', v2['LinuxProvisioning.iso']);
    const good = await bootstrap(host, 'install', { installDirectory: DIR, mode: 'pull', baseUrl: `${baseUrl}/`, manifest: manifest('2.0.0', v2) });
    assert.equal(good.result.previousVersion, '1.0.0');
    assert.equal((await bootstrap(host, 'version', { installDirectory: DIR })).result.version, '2.0.0');
  });

  it('installs in push mode from staged chunks, checking every SHA-256', async () => {
    const host = fleet.hosts[1]!;
    const files = { 'AetherV.Agent.ps1': Buffer.from('# pushed agent\r\n'), 'WindowsProvisioning.iso': Buffer.alloc(50_000, 3) };
    const m = manifest('3.0.0', files);
    const iso = files['WindowsProvisioning.iso'];
    const early = await bootstrap(host, 'install', { installDirectory: DIR, mode: 'push', stagingId: 'run-1', manifest: m });
    assert.equal(early.error.code, 'STAGING_INCOMPLETE');
    const stage = (name: string, offset: number, data: Buffer) => bootstrap(host, 'stage', { installDirectory: DIR, stagingId: 'run-1', name, offset, dataBase64: data.toString('base64') });
    assert.equal((await stage('AetherV.Agent.ps1', 0, files['AetherV.Agent.ps1'])).result.stagedBytes, files['AetherV.Agent.ps1'].length);
    assert.equal((await stage('WindowsProvisioning.iso', 0, iso.subarray(0, 20_000))).result.stagedBytes, 20_000);
    const gap = await stage('WindowsProvisioning.iso', 30_000, iso.subarray(30_000));
    assert.equal(gap.error.code, 'STAGING_INCOMPLETE');
    assert.equal((await stage('WindowsProvisioning.iso', 20_000, iso.subarray(20_000))).result.stagedBytes, 50_000);
    const r = await bootstrap(host, 'install', { installDirectory: DIR, mode: 'push', stagingId: 'run-1', manifest: m });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.result.version, '3.0.0');
    const agent = await runCommand(host, AGENT_COMMAND.replace('Aether-V', 'AETHER-V'), JSON.stringify({ protocol: 'aetherv.agent/1', id: '5b0a3a52-0c8e-4c55-9a52-3f0e4f7b8c11', operation: 'host.info', params: {}, deadlineSeconds: 5 }));
    assert.match(agent.stdout, /"agentVersion":"3\.0\.0"/, 'paths are case-insensitive, as on NTFS');
  });

  it('recognises the real Powershell/bootstrap scripts by their marker line on the loader\'s stdin', async () => {
    const dir = join(REPOSITORY_ROOT, 'Powershell', 'bootstrap');
    const scripts = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.ps1')) : [];
    assert.ok(scripts.length >= 3, 'Powershell/bootstrap/ holds the version, stage and install scripts');
    for (const name of scripts) {
      // As the server sends it: the whole file, base64 of its UTF-8 bytes, on the first line.
      const line = readFileSync(join(dir, name)).toString('base64');
      const r = await runCommand(fleet.hosts[0]!, LOADER_COMMAND, `${line}\n{}`);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, /"type":"result"/, name);
      assert.doesNotMatch(r.stdout, /must start with a bootstrap script/, name);
    }
  });

  it('reads stdin as the loader does: a BOM and CRLF are fine', async () => {
    const r = await runCommand(fleet.hosts[0]!, LOADER_COMMAND, `\uFEFF${scriptLine('version')}\r\n${JSON.stringify({ installDirectory: DIR })}\r\n`);
    const [line] = parseLines(r.stdout);
    assert.equal(line?.ok, true, r.stdout);
  });

  it('answers what the loader refuses with one INVALID_REQUEST result line (id null, exit 0)', async () => {
    const notMarked = Buffer.from('Get-Process | Stop-Process\r\n', 'utf8').toString('base64');
    for (const stdin of ['', '\r\n', '{"installDirectory":"C:\\\\x"}', 'not base64!\n{}', `${notMarked}\n{}`]) {
      const r = await runCommand(fleet.hosts[0]!, LOADER_COMMAND, stdin);
      assert.equal(r.code, 0, JSON.stringify(stdin));
      const lines = parseLines(r.stdout);
      assert.equal(lines.length, 1, JSON.stringify(stdin));
      assert.deepEqual(schemas().check('agent/envelope.result.json', lines[0]), []);
      assert.deepEqual([lines[0]!.id, lines[0]!.ok, (lines[0]!.error as { code: string }).code], [null, false, 'INVALID_REQUEST'], JSON.stringify(stdin));
    }
  });

  it('runs no script sent the old way, inside the command line', async () => {
    const old = Buffer.from("# aetherv-bootstrap: version\r\n$ErrorActionPreference = 'Stop'\r\n", 'utf16le').toString('base64');
    const r = await runCommand(fleet.hosts[0]!, `powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${old}`, JSON.stringify({ installDirectory: DIR }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /aetherv-bootstrap-loader/);
  });

  it('rejects invalid bootstrap input with INVALID_PARAMS', async () => {
    const r = await runCommand(fleet.hosts[0]!, LOADER_COMMAND, `${scriptLine('install')}\n${JSON.stringify({ installDirectory: DIR, mode: 'pull', baseUrl: 'file:///etc/passwd', manifest: { version: '1', files: [{ name: '../evil', sha256: 'x', size: 1 }] } })}`);
    assert.match(r.stdout, /"code":"INVALID_PARAMS"/);
  });
});
