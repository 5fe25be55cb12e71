/**
 * Issue 16 item 5: when `<install>.previous` survives its removal (on Windows, a file in it held
 * open), Install-Agent.ps1 moved the live install *into* it. Now it retries briefly, then fails
 * cleanly (HOST_BUSY, retryable) with the working install where it was. The real script in the
 * real pwsh through the server's BootstrapRunner; C: is a folder (PwshHost). What holds the file
 * here: the immutable attribute when the test runs as root (chattr +i; root ignores permissions),
 * else a read-only folder — Linux's ways to make Remove-Item fail on one file, as an open handle does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentClient } from '../../server/src/agent/client.ts';
import { BootstrapRunner } from '../../server/src/agent/bootstrap.ts';
import { isAppError } from '../../server/src/errors.ts';
import { PwshHost } from '../powershell/pwsh-host.ts';

const INSTALL = 'C:\\Program Files\\Aether-V';
const agent = Buffer.from('# agent 2.0.0\n');
const manifest = { version: '2.0.0', files: [{ name: 'AetherV.Agent.ps1', sha256: createHash('sha256').update(agent).digest('hex'), size: agent.length }] as [{ name: string; sha256: string; size: number }] };
const asRoot = process.getuid?.() === 0;

function hold(folder: string, file: string): () => void {
  if (asRoot) {
    execFileSync('chattr', ['+i', file]);
    return () => execFileSync('chattr', ['-i', file]);
  }
  chmodSync(folder, 0o555);
  return () => chmodSync(folder, 0o755);
}

describe('Install-Agent.ps1 with a .previous folder that cannot be removed', () => {
  let server: Server;
  let baseUrl = '';
  let cDrive = '';
  let release: (() => void) | undefined;
  before(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-length': agent.length }).end(agent));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cDrive = mkdtempSync(join(tmpdir(), 'aetherv-install-previous-'));
  });
  after(async () => {
    release?.();
    rmSync(cDrive, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails with HOST_BUSY and leaves the working install exactly where it was', async () => {
    const live = join(cDrive, 'Program Files', 'Aether-V');
    mkdirSync(live, { recursive: true });
    writeFileSync(join(live, 'AetherV.Agent.ps1'), '# agent 1.0.0\n');
    writeFileSync(join(live, 'version'), '1.0.0');
    const locked = join(cDrive, 'Program Files', 'Aether-V.previous', 'logs');
    mkdirSync(locked, { recursive: true });
    writeFileSync(join(locked, 'agent.log'), 'held open\n');
    release = hold(locked, join(locked, 'agent.log'));

    const client = new AgentClient({ transports: { get: (host) => new PwshHost(host, cDrive) }, retry: { retries: 0 } });
    const runner = new BootstrapRunner({ client, transportKind: () => 'ssh' });
    const started = Date.now();
    let failure: unknown;
    try {
      await runner.run('hv-pwsh', 'install', { installDirectory: INSTALL, mode: 'pull', baseUrl, manifest }, { retries: 0 });
    } catch (error) {
      failure = error;
    }
    assert.ok(isAppError(failure), `the install must fail: ${String(failure)}`);
    assert.equal(failure.details.agentCode, 'HOST_BUSY', failure.message);
    assert.equal(failure.retryable, true, 'deployment tries again later');
    assert.match(failure.message, /Aether-V\.previous cannot be removed/);
    assert.ok(Date.now() - started >= 2000, 'it retried before giving up');
    // The working install is untouched and not inside .previous; no staging folder is left.
    assert.equal(readFileSync(join(live, 'version'), 'utf8'), '1.0.0');
    assert.equal(readFileSync(join(live, 'AetherV.Agent.ps1'), 'utf8'), '# agent 1.0.0\n');
    assert.deepEqual(readdirSync(join(cDrive, 'Program Files', 'Aether-V.previous')), ['logs']);
    assert.deepEqual(readdirSync(join(cDrive, 'Program Files')).sort(), ['Aether-V', 'Aether-V.previous']);
  });
});
