import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import { startEstate, type Estate } from '../control/estate.ts';
import { testingHost } from '../control/testing-host.ts';
import { generateHostKey } from './server.ts';

const run = promisify(execFile);
const USER = 'labadmin';
const PASSWORD = 'ssh-Pa55word';

interface ExecResult { stdout: string; stderr: string; code: number | null }

function execWithPassword(address: string, port: number, password: string, command: string, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('error', reject);
    client.on('ready', () => {
      client.exec(command, (err, channel) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        channel.on('data', (d: Buffer) => { stdout += d.toString(); });
        channel.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        channel.on('exit', (c: number | null) => { code = c; });
        channel.on('close', () => { client.end(); resolve({ stdout, stderr, code }); });
        if (stdin !== undefined) channel.end(stdin);
      });
    });
    client.connect({ host: address, port, username: USER, password, readyTimeout: 5000, hostVerifier: () => true });
  });
}

describe('SSH endpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-ssh-'));
  const generated = generateHostKey();
  const clientKey = { private: generated.privateKey, public: generated.publicKey };
  const host = testingHost('HV-SSH-01');
  let estate: Estate;

  before(async () => {
    estate = await startEstate([host], {
      addressBase: '127.0.20.30', caFile: join(dir, 'ca.pem'), ports: { winrm: 0, winrmHttps: 0, ssh: 0 }, username: USER, password: PASSWORD,
      allowUnencrypted: false, authorizedKeys: [clientKey.public], domainName: 'LAB',
    });
    writeFileSync(join(dir, 'id_ed25519'), clientKey.private, { mode: 0o600 });
    writeFileSync(join(dir, 'known_hosts'), estate.knownHosts());
  });
  after(async () => {
    await estate.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a command for the OpenSSH client with key authentication, checking the host key against knownHosts', async () => {
    const row = estate.rows()[0]!;
    assert.match(estate.knownHosts(), new RegExp(`^\\[${row.address.replace(/\./g, '\\.')}\\]:${row.sshPort},\\[HV-SSH-01\\]:${row.sshPort} ssh-ed25519 AAAA`));
    const args = ['-F', '/dev/null', '-i', join(dir, 'id_ed25519'), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
      '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes',
      '-p', String(row.sshPort), `${USER}@${row.address}`];
    const { stdout } = await run('ssh', [...args, 'hostname'], { timeout: 20_000 });
    assert.equal(stdout, 'HV-SSH-01\r\n');
    assert.equal(host.commands.spawned.at(-1)?.context.via, 'ssh');
    assert.equal(host.commands.spawned.at(-1)?.context.user, USER);
    // A known_hosts file with another key for this host must make OpenSSH refuse.
    const other = generateHostKey().publicKey;
    writeFileSync(join(dir, 'wrong_known_hosts'), `[${row.address}]:${row.sshPort} ${other}\n`);
    await assert.rejects(run('ssh', [...args.map((a) => a.replace(join(dir, 'known_hosts'), join(dir, 'wrong_known_hosts'))), 'hostname'], { timeout: 20_000 }),
      /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('runs commands with password authentication, piping stdin and returning stderr and the exit status', async () => {
    const row = estate.rows()[0]!;
    const echoed = await execWithPassword(row.address, row.sshPort, PASSWORD, 'more', 'request on stdin\n');
    assert.deepEqual(echoed, { stdout: 'request on stdin\n', stderr: '', code: 0 });
    const failed = await execWithPassword(row.address, row.sshPort, PASSWORD, 'fail 7');
    assert.deepEqual(failed, { stdout: '', stderr: 'something failed\r\n', code: 7 });
  });

  it('terminates the command when the client closes the channel', async () => {
    const row = estate.rows()[0]!;
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('ready', () => {
        client.exec('sleep 60000', (err, channel) => {
          if (err) return reject(err);
          channel.resume();
          channel.stderr.resume();
          setTimeout(() => channel.close(), 100);
          channel.on('close', () => resolve());
        });
      });
      client.connect({ host: row.address, port: row.sshPort, username: USER, password: PASSWORD, hostVerifier: () => true });
    });
    client.end();
    const spawned = host.commands.spawned.at(-1)!;
    assert.equal(spawned.commandLine, 'sleep 60000');
    for (let i = 0; i < 20 && !spawned.terminated; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(spawned.terminated, true);
  });

  it('refuses a wrong password and every login while authFailure is set', async () => {
    const row = estate.rows()[0]!;
    await assert.rejects(execWithPassword(row.address, row.sshPort, 'wrong', 'hostname'), /authentication methods failed/);
    host.faults = { ...host.faults, authFailure: true };
    try {
      await assert.rejects(execWithPassword(row.address, row.sshPort, PASSWORD, 'hostname'), /authentication methods failed/);
    } finally {
      host.faults = { ...host.faults, authFailure: false };
    }
    assert.equal((await execWithPassword(row.address, row.sshPort, PASSWORD, 'hostname')).code, 0);
  });
});
