/**
 * HostTransport over SSH (OpenSSH on Windows Server 2019+): one connection per host, reused
 * by every call and reopened when it drops; each call is one exec channel carrying exactly
 * the bytes WinRM would carry (stdin in, stdout lines and stderr out, exit code).
 */
import type { Client, ClientChannel } from 'ssh2';
import { AppError, isAppError } from '../../errors.ts';
import type { RemotingSettings } from '../settings.ts';
import type { HostTransport, RemotingLogger, RunCommandOptions, RunCommandResult } from '../transport.ts';
import { connectSsh, type SshConnection } from './connect.ts';
import { LineSplitter } from './line-splitter.ts';

export type SshLogger = RemotingLogger;

export interface SshTransportOptions {
  logger?: SshLogger;
  /** Connect to this address instead of resolving the host name. */
  address?: string;
}

export class SshTransport implements HostTransport {
  readonly kind = 'ssh' as const;
  private connection: Promise<SshConnection> | undefined;
  private closed = false;
  private readonly deadClients = new WeakSet<Client>();
  /** The client behind `connection` once it is ready. */
  private currentClient: Client | undefined;

  constructor(
    readonly host: string,
    private readonly settings: RemotingSettings,
    private readonly options: SshTransportOptions = {},
  ) {}

  async run(options: RunCommandOptions): Promise<RunCommandResult> {
    if (this.closed) throw new AppError('REMOTE_CANCELLED', `SSH transport to ${this.host} is closed`, { details: { host: this.host } });
    throwIfAborted(options.signal, this.host);
    const started = Date.now();
    const deadline = options.timeoutMs === undefined ? undefined : started + options.timeoutMs;
    let channel: ClientChannel;
    try {
      channel = await this.withDeadline(this.openChannel(options.command), deadline, options.signal);
    } catch (error) {
      this.options.logger?.debug({ host: this.host, correlationId: options.correlationId, code: (error as AppError).code }, 'ssh call failed before start');
      throw error;
    }
    return await this.runOnChannel(channel, options, deadline);
  }

  /**
   * Opens an exec channel. A connection found dead is replaced once (nothing ran yet); a live
   * connection that refuses a channel (sshd MaxSessions) is kept for the calls it carries.
   */
  private async openChannel(command: string): Promise<ClientChannel> {
    for (let attempt = 0; ; attempt++) {
      const { client } = await this.connect();
      try {
        return await exec(client, command);
      } catch (error) {
        const message = (error as Error).message;
        if (!this.deadClients.has(client) && /open failed|channel open failure|administratively prohibited/i.test(message)) {
          throw new AppError('REMOTE_SHELL_QUOTA', `${this.host} refused another SSH session (sshd MaxSessions?): ${message}`, { cause: error, details: { host: this.host } });
        }
        this.dropConnection(client);
        if (attempt >= 1) {
          throw new AppError('REMOTE_CONNECTION_DROPPED', `SSH connection to ${this.host} failed to start the command: ${message}`, { cause: error, details: { host: this.host } });
        }
      }
    }
  }

  /** The host key the current connection saw (connecting if needed), for `aetherv doctor`. */
  async connectionInfo(): Promise<SshConnection['hostKey']> {
    return (await this.connect()).hostKey;
  }

  private connect(): Promise<SshConnection> {
    if (!this.connection) {
      const pending = connectSsh({
        host: this.host,
        address: this.options.address,
        settings: this.settings.ssh,
        connectTimeoutMs: this.settings.connectTimeoutMs,
      }).then((connection) => {
        const forget = () => {
          this.deadClients.add(connection.client);
          if (this.connection === pending) this.connection = undefined;
        };
        if (this.connection === pending) this.currentClient = connection.client;
        connection.client.on('close', forget);
        connection.client.on('end', forget);
        connection.client.on('error', (error) => {
          this.options.logger?.warn({ host: this.host, err: error.message }, 'ssh connection error');
          forget();
        });
        this.options.logger?.debug({ host: this.host, hostKey: connection.hostKey.fingerprint }, 'ssh connected');
        return connection;
      });
      pending.catch(() => {
        if (this.connection === pending) this.connection = undefined;
      });
      this.connection = pending;
    }
    return this.connection;
  }

  private dropConnection(client: Client): void {
    this.deadClients.add(client);
    client.end();
    // Another caller may already have replaced it: only forget the connection we saw fail.
    if (this.currentClient === client) {
      this.connection = undefined;
      this.currentClient = undefined;
    }
  }

  private runOnChannel(channel: ClientChannel, options: RunCommandOptions, deadline: number | undefined): Promise<RunCommandResult> {
    const host = this.host;
    return new Promise<RunCommandResult>((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const lines = new LineSplitter((line) => options.onStdoutLine?.(line));
      let exitCode: number | undefined = earlyExitCodes.get(channel);
      let settled = false;
      let timer: NodeJS.Timeout | undefined;

      const finish = (error?: AppError) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) {
          channel.close();
          reject(error);
          return;
        }
        lines.end();
        resolve({ exitCode: exitCode ?? 0, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
      };
      const onAbort = () => finish(new AppError('REMOTE_CANCELLED', `Call to ${host} was cancelled`, { details: { host } }));

      if (deadline !== undefined) {
        timer = setTimeout(() => finish(new AppError('REMOTE_TIMEOUT', `Call to ${host} did not finish within ${options.timeoutMs} ms`, { details: { host } })), Math.max(0, deadline - Date.now()));
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });

      channel.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        try {
          lines.push(chunk);
        } catch (error) {
          // A throwing callback must not leave the call hanging.
          finish(new AppError('REMOTE_PROTOCOL', `stdout handler failed: ${(error as Error).message}`, { cause: error, details: { host } }));
        }
      });
      channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      channel.on('exit', (code: number | null) => {
        exitCode = typeof code === 'number' ? code : 255;
      });
      channel.on('close', () => {
        exitCode ??= earlyExitCodes.get(channel);
        if (exitCode === undefined) {
          finish(new AppError('REMOTE_CONNECTION_DROPPED', `SSH channel to ${host} closed before the command reported an exit status`, { details: { host } }));
        } else {
          finish();
        }
      });
      channel.on('error', (error: Error) => finish(new AppError('REMOTE_CONNECTION_DROPPED', `SSH channel to ${host} failed: ${error.message}`, { cause: error, details: { host } })));

      const input = options.stdin === undefined ? undefined : Buffer.isBuffer(options.stdin) ? options.stdin : Buffer.from(options.stdin, 'utf8');
      if (input && input.length > 0) channel.end(input);
      else channel.end();
    });
  }

  private async withDeadline<T>(work: Promise<T>, deadline: number | undefined, signal: AbortSignal | undefined): Promise<T> {
    if (deadline === undefined && signal === undefined) return await work;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_resolve, reject) => {
      if (deadline !== undefined) {
        timer = setTimeout(() => reject(new AppError('REMOTE_TIMEOUT', `Connecting to ${this.host} took longer than the call's deadline`, { details: { host: this.host } })), Math.max(0, deadline - Date.now()));
      }
      onAbort = () => reject(new AppError('REMOTE_CANCELLED', `Call to ${this.host} was cancelled`, { details: { host: this.host } }));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const result = await Promise.race([work, stop]);
      return result;
    } catch (error) {
      // A channel that opens after we gave up must not leak.
      work.then((late) => (late as unknown as ClientChannel | undefined)?.close?.(), () => undefined);
      throw isAppError(error) ? error : new AppError('REMOTE_CONNECT', (error as Error).message, { cause: error, details: { host: this.host } });
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.connection;
    this.connection = undefined;
    if (!pending) return;
    try {
      (await pending).client.end();
    } catch {
      // never connected: nothing to release
    }
  }
}

/**
 * Exit statuses that arrived before runOnChannel attached its listeners: a fast host can send
 * the exec reply, the output and the exit status in one packet, which ssh2 parses in one go,
 * while the promise below hands the channel over only a microtask later.
 */
const earlyExitCodes = new WeakMap<ClientChannel, number>();

function exec(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (error, channel) => {
        if (error) {
          reject(error);
          return;
        }
        channel.once('exit', (code: number | null) => earlyExitCodes.set(channel, typeof code === 'number' ? code : 255));
        resolve(channel);
      });
    } catch (error) {
      reject(error as Error);
    }
  });
}

function throwIfAborted(signal: AbortSignal | undefined, host: string): void {
  if (signal?.aborted) throw new AppError('REMOTE_CANCELLED', `Call to ${host} was cancelled`, { details: { host } });
}

export function createSshTransport(host: string, settings: RemotingSettings, options: SshTransportOptions = {}): SshTransport {
  return new SshTransport(host, settings, options);
}
