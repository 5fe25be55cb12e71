/**
 * One host's OpenSSH-on-Windows endpoint (ssh2 Server): password and public-key
 * authentication, `exec` requests run through the host's CommandHost with stdin/stdout/stderr
 * piped and the exit status sent; closing the channel terminates the command.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ParsedKey, ServerChannel } from 'ssh2';
import type { CommandHost, HostFaults } from '../contracts.ts';

const { Server, utils } = ssh2;

export interface SshHostKey {
  /** OpenSSH private key. */
  privateKey: string;
  /** `ssh-ed25519 AAAA…` (the known_hosts key part). */
  publicKey: string;
  parsed: ParsedKey;
}

/**
 * An Ed25519 key pair in OpenSSH format. ssh2's generator now and then emits a private key its
 * own parser rejects ("Malformed OpenSSH private key"), so each one is checked and redrawn.
 */
export function generateHostKey(): SshHostKey {
  for (let attempt = 0; ; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519');
    const parsed = utils.parseKey(pair.private);
    if (!(parsed instanceof Error) && !Array.isArray(parsed)) {
      return { privateKey: pair.private, publicKey: pair.public.trim().split(' ').slice(0, 2).join(' '), parsed };
    }
    if (attempt > 20) throw new Error('cannot generate an SSH host key');
  }
}

export interface SshServiceOptions {
  name: string;
  commands: CommandHost;
  faults: () => HostFaults;
  username: string;
  password: string;
  /** OpenSSH public keys (`ssh-ed25519 AAAA… comment`) accepted for `username`. */
  authorizedKeys: string[];
  hostKey: SshHostKey;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function bare(name: string): string {
  const s = name.includes('\\') ? name.slice(name.lastIndexOf('\\') + 1) : name;
  return (s.includes('@') ? s.slice(0, s.indexOf('@')) : s).toLowerCase();
}

export class SshService {
  private server: InstanceType<typeof Server> | undefined;
  private readonly connections = new Set<Connection>();
  private readonly keys: ParsedKey[];

  constructor(private readonly options: SshServiceOptions) {
    this.keys = options.authorizedKeys.map((k) => utils.parseKey(k)).filter((k): k is ParsedKey => !(k instanceof Error));
  }

  /** Starts listening; resolves with the actual port (0 = ephemeral). */
  listen(address: string, port: number): Promise<number> {
    const server = new Server({ hostKeys: [{ key: this.options.hostKey.parsed }] } as unknown as ConstructorParameters<typeof Server>[0], (client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  /** Stops listening and drops every connection, as when the host goes down. */
  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.connections) c.end();
    for (const c of this.connections) ((c as unknown as { _sock?: Socket })._sock)?.destroy();
    this.connections.clear();
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private accept(client: Connection): void {
    const faults = this.options.faults();
    if (faults.dropRate > 0 && Math.random() < faults.dropRate) {
      ((client as unknown as { _sock?: Socket })._sock)?.destroy();
      return;
    }
    this.connections.add(client);
    let user = '';
    client.on('error', () => undefined);
    client.on('close', () => this.connections.delete(client));
    client.on('authentication', (ctx) => {
      if (this.authenticate(ctx)) {
        user = bare(ctx.username);
        ctx.accept();
      } else {
        ctx.reject(['password', 'publickey']);
      }
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (acceptExec, _reject, info) => this.exec(acceptExec(), info.command, user));
        session.on('pty', (_a, reject) => reject?.());
        session.on('shell', (_a, reject) => reject?.());
        session.on('subsystem', (_a, reject) => reject?.());
      });
    });
  }

  private authenticate(ctx: AuthContext): boolean {
    if (this.options.faults().authFailure) return false;
    if (bare(ctx.username) !== bare(this.options.username)) return false;
    if (ctx.method === 'password') return same(ctx.password, this.options.password);
    if (ctx.method === 'publickey') {
      const key = this.keys.find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
      if (!key) return false;
      // Without a signature the client only asks whether the key would be accepted.
      if (!ctx.signature || !ctx.blob) return true;
      return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
    }
    return false;
  }

  private exec(channel: ServerChannel, command: string, user: string): void {
    const proc = this.options.commands.spawn(command, { user, via: 'ssh' });
    let finished = false;
    channel.on('data', (d: Buffer) => { if (proc.stdin.writable) proc.stdin.write(d); });
    channel.on('end', () => { if (proc.stdin.writable) proc.stdin.end(); });
    channel.on('error', () => undefined);
    channel.on('close', () => { if (!finished) proc.terminate(); });
    proc.stdin.on('error', () => undefined);
    proc.stdout.pipe(channel, { end: false });
    proc.stderr.pipe(channel.stderr, { end: false });
    const streamsDone = Promise.all([
      new Promise((r) => { proc.stdout.once('end', r); proc.stdout.once('error', r); }),
      new Promise((r) => { proc.stderr.once('end', r); proc.stderr.once('error', r); }),
    ]);
    proc.exit.catch(() => 1).then(async (code) => {
      await Promise.race([streamsDone, new Promise((r) => setTimeout(r, 1000))]);
      finished = true;
      if (channel.destroyed) return;
      channel.exit(code);
      channel.end();
    });
  }
}
