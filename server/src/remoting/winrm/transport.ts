/**
 * HostTransport over WinRS: one open shell per host, reused by every call (a few commands
 * may run in it at once), recreated when the host no longer knows it. A call's hot path on a
 * reused shell is Command, Send(s), Receive(s); the terminate Signal that frees the command
 * on the host is sent after the caller has its result.
 */
import pLimit from 'p-limit';
import { AppError, isAppError } from '../../errors.ts';
import type { RemotingSettings } from '../settings.ts';
import type { HostTransport, RunCommandOptions, RunCommandResult } from '../transport.ts';
import { WinrmClient, type WinrmClientOptions, type WinrmLogger } from './client.ts';
import { LineSplitter } from './output-lines.ts';
import { stdinChunks } from './send.ts';

export interface WinrmTransportOptions {
  logger?: WinrmLogger;
  /** Connect here instead of resolving the host name (simulator loopback). */
  address?: string;
  /** Called once per SOAP exchange with its action name. */
  exchangeCounter?: (action: string) => void;
  /** Commands run at once in the shared shell (Windows allows several per shell). Default 4. */
  maxConcurrentCommands?: number;
  /** Environment variables of the shell (rsp:Environment), for every command run in it. */
  environment?: Record<string, string>;
}

/** Receives retried after a dropped connection; the command keeps running on the host meanwhile. */
const RECEIVE_DROP_RETRIES = 2;
/** Background terminate Signals and shell deletion give up after this long. */
const CLEANUP_TIMEOUT_MS = 15_000;
/** How long close() waits for pending terminate Signals before abandoning them. */
const CLOSE_GRACE_MS = 1_000;

export class WinrmTransport implements HostTransport {
  readonly kind = 'winrm' as const;
  readonly host: string;
  readonly client: WinrmClient;
  private readonly logger: WinrmLogger | undefined;
  private readonly environment: Record<string, string>;
  private readonly limit: ReturnType<typeof pLimit>;
  private shell: Promise<string> | undefined;
  /** The settled id of `shell`, so a gone shell can be forgotten synchronously. */
  private knownShellId: string | undefined;
  private readonly background = new Set<Promise<void>>();
  /** Aborts background cleanup still pending when the transport closes. */
  private readonly closing = new AbortController();
  private closed = false;

  constructor(host: string, settings: RemotingSettings, options: WinrmTransportOptions = {}) {
    this.host = host;
    this.logger = options.logger;
    this.environment = options.environment ?? {};
    const clientOptions: WinrmClientOptions = { connectTimeoutMs: settings.connectTimeoutMs };
    if (options.address !== undefined) clientOptions.address = options.address;
    if (options.logger !== undefined) clientOptions.logger = options.logger;
    if (options.exchangeCounter !== undefined) clientOptions.exchangeCounter = options.exchangeCounter;
    this.client = new WinrmClient(host, settings.winrm, clientOptions);
    this.limit = pLimit(options.maxConcurrentCommands ?? 4);
  }

  /** The id of the pooled shell once created (diagnostics and tests). */
  async currentShellId(): Promise<string | undefined> {
    return this.shell?.catch(() => undefined);
  }

  async run(options: RunCommandOptions): Promise<RunCommandResult> {
    if (this.closed) throw new AppError('REMOTE_CANCELLED', `WinRM transport to ${this.host} is closed`);
    const controller = new AbortController();
    const onAbort = () => controller.abort(new AppError('REMOTE_CANCELLED', `Call to ${this.host} was cancelled`, { details: { host: this.host } }));
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      controller.abort(new AppError('REMOTE_TIMEOUT', `Call to ${this.host} did not finish within ${options.timeoutMs} ms; the remote command was terminated`, { details: { host: this.host, timeoutMs: options.timeoutMs } }));
    }, options.timeoutMs);
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(controller.signal.reason);
      if (controller.signal.aborted) fail();
      else controller.signal.addEventListener('abort', fail, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      // Waiting for a free command slot counts against the deadline too.
      return await Promise.race([this.limit(() => this.runWithRecovery(options, controller.signal)), aborted]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Deletes the shell (best effort) and closes connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Give in-flight terminate Signals a moment, then stop waiting for them.
    const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([Promise.allSettled([...this.background]), grace]);
    this.closing.abort(new AppError('REMOTE_CANCELLED', `WinRM transport to ${this.host} closed`));
    await Promise.allSettled([...this.background]);
    const shellId = await this.currentShellId();
    this.shell = undefined;
    this.knownShellId = undefined;
    if (shellId !== undefined) {
      await this.client.deleteShell(shellId, AbortSignal.timeout(CLEANUP_TIMEOUT_MS)).catch((err: unknown) => {
        this.logger?.warn({ host: this.host, err: describe(err) }, 'winrm: deleting shell failed');
      });
    }
    this.client.close();
  }

  private async runWithRecovery(options: RunCommandOptions, signal: AbortSignal): Promise<RunCommandResult> {
    signal.throwIfAborted();
    let commandId: string;
    let shellId: string;
    try {
      ({ shellId, commandId } = await this.startCommand(options.command, signal));
    } catch (err) {
      if (!isSafeToRetry(err) || signal.aborted) throw err;
      this.logger?.debug({ host: this.host, code: (err as AppError).code, correlationId: options.correlationId }, 'winrm: command not started, retrying once');
      ({ shellId, commandId } = await this.startCommand(options.command, signal));
    }
    try {
      return await this.feedAndCollect(shellId, commandId, options, signal);
    } catch (err) {
      if (isAppError(err) && err.code === 'REMOTE_SHELL_GONE') this.forgetShell(shellId);
      throw err;
    } finally {
      this.terminateInBackground(shellId, commandId);
    }
  }

  private async startCommand(commandLine: string, signal: AbortSignal): Promise<{ shellId: string; commandId: string }> {
    const shellId = await this.ensureShell(signal);
    try {
      return { shellId, commandId: await this.client.command(shellId, commandLine, signal) };
    } catch (err) {
      if (isAppError(err) && err.code === 'REMOTE_SHELL_GONE') this.forgetShell(shellId);
      throw err;
    }
  }

  private ensureShell(signal: AbortSignal): Promise<string> {
    if (this.shell === undefined) {
      // Not tied to one caller's signal: a shell is shared, so one caller's abort must not fail the others.
      const creating = this.client.createShell({ environment: this.environment }, AbortSignal.timeout(CLEANUP_TIMEOUT_MS * 2));
      this.shell = creating;
      creating.then((id) => {
        if (this.shell === creating) this.knownShellId = id;
      }, () => {
        if (this.shell === creating) this.shell = undefined;
      });
    }
    const shell = this.shell;
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      shell.then(resolve, (err: unknown) => reject(markShellCreation(err))).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private forgetShell(shellId: string): void {
    if (this.knownShellId === shellId) {
      this.shell = undefined;
      this.knownShellId = undefined;
    }
  }

  private async feedAndCollect(shellId: string, commandId: string, options: RunCommandOptions, signal: AbortSignal): Promise<RunCommandResult> {
    const stdin = options.stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(options.stdin) ? options.stdin : Buffer.from(options.stdin, 'utf8');
    const chunks = stdinChunks(stdin, this.client.settings.maxEnvelopeSize);
    for (const [index, chunk] of chunks.entries()) {
      await this.client.send(shellId, commandId, chunk, index === chunks.length - 1, signal);
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const onLine = options.onStdoutLine;
    const lines = onLine === undefined ? undefined : new LineSplitter((line) => {
      try {
        onLine(line);
      } catch (err) {
        this.logger?.warn({ host: this.host, err: describe(err), correlationId: options.correlationId }, 'winrm: onStdoutLine threw');
      }
    });
    for (;;) {
      const result = await this.receiveWithRetry(shellId, commandId, signal);
      for (const chunk of result.chunks) {
        if (chunk.name === 'stdout') {
          stdout.push(chunk.data);
          lines?.push(chunk.data);
        } else {
          stderr.push(chunk.data);
        }
      }
      if (result.done) {
        lines?.end();
        if (result.exitCode === undefined) throw new AppError('REMOTE_PROTOCOL', `${this.host} reported the command done without an exit code`);
        return { exitCode: result.exitCode, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      }
    }
  }

  private async receiveWithRetry(shellId: string, commandId: string, signal: AbortSignal) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.client.receive(shellId, commandId, signal);
      } catch (err) {
        const dropped = isAppError(err) && (err.code === 'REMOTE_CONNECTION_DROPPED' || err.code === 'REMOTE_CONNECT');
        if (!dropped || attempt >= RECEIVE_DROP_RETRIES || signal.aborted) throw err;
        this.logger?.warn({ host: this.host, code: err.code }, 'winrm: Receive connection dropped, polling again');
      }
    }
  }

  /** Frees the command on the host without making the caller wait for it. */
  private terminateInBackground(shellId: string, commandId: string): void {
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.client.signalTerminate(shellId, commandId, AbortSignal.any([AbortSignal.timeout(CLEANUP_TIMEOUT_MS), this.closing.signal])))
      .catch((err: unknown) => {
        // A shell that is gone has no command left to free.
        if (isAppError(err) && (err.code === 'REMOTE_SHELL_GONE' || this.closing.signal.aborted)) return;
        this.logger?.warn({ host: this.host, commandId, err: describe(err) }, 'winrm: terminate signal failed');
      });
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }
}

/** A failure before the command was accepted by the host, where running it again cannot double it. */
function isSafeToRetry(err: unknown): boolean {
  if (!isAppError(err)) return false;
  if (err.code === 'REMOTE_SHELL_GONE') return true;
  if (err.details.shellCreation === true) return err.code === 'REMOTE_CONNECTION_DROPPED' || err.code === 'REMOTE_CONNECT';
  return (err.code === 'REMOTE_CONNECTION_DROPPED' || err.code === 'REMOTE_CONNECT') && err.details.requestSent === false;
}

function markShellCreation(err: unknown): unknown {
  if (isAppError(err)) {
    return new AppError(err.code, err.message, { cause: err.cause, details: { ...err.details, shellCreation: true }, retryable: err.retryable });
  }
  return err;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err);
}
