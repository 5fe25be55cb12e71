/**
 * The SSH transport against the simulator's real SSH endpoint (ssh2 server on loopback),
 * with a small scripted command host so each behaviour can be provoked on purpose.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import ssh2 from 'ssh2';
import { SshService, generateHostKey } from '../../simulator/src/ssh/server.ts';
import { NO_FAULTS, type CommandHost, type SimProcess } from '../../simulator/src/contracts.ts';
import { SshTransport } from '../../server/src/remoting/ssh/transport.ts';
import type { AppError } from '../../server/src/errors.ts';
import type { RemotingSettings } from '../../server/src/remoting/settings.ts';
import { DEFAULT_WINRM } from '../../server/src/remoting/settings.ts';

const ADDRESS = '127.0.0.1';

class ScriptedHost implements CommandHost {
  commands: string[] = [];
  terminated = 0;
  spawn(commandLine: string): SimProcess {
    this.commands.push(commandLine);
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let finish!: (code: number) => void;
    const exit = new Promise<number>((resolve) => (finish = resolve));
    const end = (code: number) => {
      stdout.end();
      stderr.end();
      finish(code);
    };
    const [name] = commandLine.split(' ');
    if (name === 'more') {
      stdin.pipe(stdout);
      stdin.on('end', () => setImmediate(() => end(0)));
    } else if (name === 'fail') {
      stdin.resume();
      stderr.write('boom: something broke\r\n');
      stdout.write('partial');
      setImmediate(() => end(3));
    } else if (name === 'utf8') {
      stdin.resume();
      const bytes = Buffer.from('première ligne\r\nzweite Zeile ü\nlast', 'utf8');
      // Split inside the two-byte "è" to prove lines are decoded after joining.
      const cut = bytes.indexOf(Buffer.from('è')) + 1;
      stdout.write(bytes.subarray(0, cut));
      setTimeout(() => {
        stdout.write(bytes.subarray(cut));
        end(0);
      }, 20);
    } else {
      // "hang": runs until the channel closes.
      stdin.resume();
    }
    return {
      stdin, stdout, stderr, exit,
      terminate: () => {
        this.terminated++;
        end(1);
      },
    };
  }
}

describe('SSH transport against the simulator SSH endpoint', () => {
  let dir: string;
  let service: SshService;
  let port: number;
  let commands: ScriptedHost;
  const hostKey = generateHostKey();
  const clientKey = ssh2.utils.generateKeyPairSync('ed25519');
  let knownHosts: string;

  const settings = (ssh: Partial<RemotingSettings['ssh']> = {}): RemotingSettings => ({
    transport: 'ssh',
    connectTimeoutMs: 5000,
    winrm: { ...DEFAULT_WINRM },
    ssh: { port, username: 'admin', password: 'Passw0rd!', knownHostsFile: knownHosts, insecureSkipHostKeyCheck: false, ...ssh },
  });
  const connections = () => (service as unknown as { connections: Set<unknown> }).connections;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aetherv-ssh-'));
    commands = new ScriptedHost();
    service = new SshService({
      name: 'hv01', commands, faults: () => NO_FAULTS, username: 'admin', password: 'Passw0rd!',
      authorizedKeys: [clientKey.public], hostKey,
    });
    port = await service.listen(ADDRESS, 0);
    knownHosts = join(dir, 'known_hosts');
    await writeFile(knownHosts, `# lab\n[${ADDRESS}]:${port} ${hostKey.publicKey}\n`);
  });
  after(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('carries 300 KB of stdin through `more` byte for byte, streaming lines, on one reused connection', async () => {
    const transport = new SshTransport(ADDRESS, settings());
    try {
      const lines = Array.from({ length: 6000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
      const input = `${lines.join('\n')}\n`;
      assert.ok(input.length > 300_000);
      const seen: string[] = [];
      const result = await transport.run({ command: 'more', stdin: input, onStdoutLine: (l) => seen.push(l) });
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout, input);
      assert.deepEqual(seen, lines);
      const before = connections().size;
      await Promise.all([1, 2, 3, 4].map((n) => transport.run({ command: 'more', stdin: `call ${n}` }).then((r) => assert.equal(r.stdout, `call ${n}`))));
      assert.equal(connections().size, before, 'calls share the host connection');
    } finally {
      await transport.close();
    }
  });

  it('reports the exit code and stderr, and decodes UTF-8 split across packets', async () => {
    const transport = new SshTransport(ADDRESS, settings());
    try {
      const failed = await transport.run({ command: 'fail' });
      assert.equal(failed.exitCode, 3);
      assert.equal(failed.stderr, 'boom: something broke\r\n');
      assert.equal(failed.stdout, 'partial');
      const seen: string[] = [];
      await transport.run({ command: 'utf8', onStdoutLine: (l) => seen.push(l) });
      assert.deepEqual(seen, ['première ligne', 'zweite Zeile ü', 'last']);
    } finally {
      await transport.close();
    }
  });

  it('accepts a hashed known_hosts entry and a private key', async () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update(`[${ADDRESS}]:${port}`).digest('base64');
    const hashed = join(dir, 'known_hosts_hashed');
    await writeFile(hashed, `|1|${salt.toString('base64')}|${hash} ${hostKey.publicKey}\n`);
    const keyFile = join(dir, 'id_ed25519');
    await writeFile(keyFile, clientKey.private);
    const transport = new SshTransport(ADDRESS, settings({ knownHostsFile: hashed, password: undefined, privateKeyFile: keyFile }));
    try {
      assert.equal((await transport.run({ command: 'more', stdin: 'ok' })).stdout, 'ok');
      assert.match((await transport.connectionInfo()).fingerprint, /^SHA256:/);
    } finally {
      await transport.close();
    }
  });

  it('rejects a host whose key differs from known_hosts, or that known_hosts does not list', async () => {
    const other = generateHostKey();
    const wrong = join(dir, 'known_hosts_wrong');
    await writeFile(wrong, `[${ADDRESS}]:${port} ${other.publicKey}\n`);
    const t1 = new SshTransport(ADDRESS, settings({ knownHostsFile: wrong }));
    const e1 = await t1.run({ command: 'more' }).then(() => assert.fail('connected to an untrusted host'), (e: unknown) => e as AppError);
    assert.equal(e1.code, 'REMOTE_HOST_KEY');
    assert.match(e1.message, /does not match known_hosts/);
    await t1.close();

    const absent = join(dir, 'known_hosts_other');
    await writeFile(absent, `[${ADDRESS}]:${port + 1} ${hostKey.publicKey}\n`);
    const t2 = new SshTransport(ADDRESS, settings({ knownHostsFile: absent }));
    const e2 = await t2.run({ command: 'more' }).then(() => assert.fail('connected without a known key'), (e: unknown) => e as AppError);
    assert.equal(e2.code, 'REMOTE_HOST_KEY');
    assert.match(e2.message, /has no host key/);
    await t2.close();

    const revoked = join(dir, 'known_hosts_revoked');
    await writeFile(revoked, `[${ADDRESS}]:${port} ${hostKey.publicKey}\n@revoked * ${hostKey.publicKey}\n`);
    const t3 = new SshTransport(ADDRESS, settings({ knownHostsFile: revoked }));
    const e3 = await t3.run({ command: 'more' }).then(() => assert.fail('accepted a revoked key'), (e: unknown) => e as AppError);
    assert.equal(e3.code, 'REMOTE_HOST_KEY');
    await t3.close();
  });

  it('fails fast with REMOTE_AUTH on a wrong password', async () => {
    const transport = new SshTransport(ADDRESS, settings({ password: 'wrong' }));
    const started = Date.now();
    const error = await transport.run({ command: 'more' }).then(() => assert.fail('logged on with a wrong password'), (e: unknown) => e as AppError);
    assert.equal(error.code, 'REMOTE_AUTH');
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.ok(!error.message.includes('wrong'), 'the password is not in the message');
    await transport.close();
  });

  it('REMOTE_CONNECT when nothing listens', async () => {
    const closed = new SshService({ name: 'x', commands, faults: () => NO_FAULTS, username: 'a', password: 'b', authorizedKeys: [], hostKey });
    const freePort = await closed.listen(ADDRESS, 0);
    await closed.close();
    const transport = new SshTransport(ADDRESS, { ...settings(), ssh: { ...settings().ssh, port: freePort } });
    // known_hosts has no entry for this port: the connection error must still win, as with OpenSSH.
    const error = await transport.run({ command: 'more' }).then(() => assert.fail(), (e: unknown) => e as AppError);
    assert.equal(error.code, 'REMOTE_CONNECT');
    await transport.close();
  });

  it('a deadline or an abort closes the channel and terminates the command', async () => {
    const transport = new SshTransport(ADDRESS, settings());
    try {
      const before = commands.terminated;
      const started = Date.now();
      const timeout = await transport.run({ command: 'hang', timeoutMs: 300 }).then(() => assert.fail(), (e: unknown) => e as AppError);
      assert.equal(timeout.code, 'REMOTE_TIMEOUT');
      assert.ok(Date.now() - started < 2000);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const cancelled = await transport.run({ command: 'hang', signal: controller.signal }).then(() => assert.fail(), (e: unknown) => e as AppError);
      assert.equal(cancelled.code, 'REMOTE_CANCELLED');
      for (let i = 0; i < 50 && commands.terminated < before + 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(commands.terminated, before + 2, 'both remote commands were terminated');
      assert.equal((await transport.run({ command: 'more', stdin: 'still fine' })).stdout, 'still fine');
    } finally {
      await transport.close();
    }
  });

  it('recovers after the host drops the connection, and reports a drop during a call', async () => {
    const transport = new SshTransport(ADDRESS, settings());
    const dropAll = () => {
      for (const c of connections()) (c as { _sock?: { destroy(): void } })._sock?.destroy();
    };
    try {
      assert.equal((await transport.run({ command: 'more', stdin: 'one' })).stdout, 'one');
      dropAll();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await transport.run({ command: 'more', stdin: 'two' })).stdout, 'two', 'a new connection is opened');

      const pending = transport.run({ command: 'hang' });
      await new Promise((r) => setTimeout(r, 100));
      dropAll();
      const error = await pending.then(() => assert.fail(), (e: unknown) => e as AppError);
      assert.equal(error.code, 'REMOTE_CONNECTION_DROPPED');
      assert.equal((await transport.run({ command: 'more', stdin: 'three' })).stdout, 'three');
    } finally {
      await transport.close();
    }
  });
});

describe('SSH transport against a full simulated host', () => {
  it('carries 300 KB through the simulated host\'s `more`, checking the host key from the simulator\'s known_hosts', async () => {
    const { startLab } = await import('../support/lab.ts');
    const lab = await startLab({ preinstall: false });
    const transport = new SshTransport(lab.host, lab.settings('ssh'), { address: lab.address });
    try {
      const input = `${'0123456789abcdef'.repeat(64)}\r\n`.repeat(300);
      assert.ok(input.length >= 300_000);
      let lines = 0;
      const result = await transport.run({ command: 'more', stdin: input, onStdoutLine: () => lines++ });
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout.replace(/\r\n/g, '\n').trimEnd(), input.replace(/\r\n/g, '\n').trimEnd());
      assert.ok(lines >= 300);
    } finally {
      await transport.close();
      await lab.stop();
    }
  });
});
