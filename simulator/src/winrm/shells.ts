/**
 * WinRS shells and the commands running in them: output buffered per command until a Receive
 * collects it, per-user shell quota, and idle expiry (WinRM's IdleTimeout).
 */
import { randomUUID } from 'node:crypto';
import type { CommandHost, SimProcess } from '../contracts.ts';
import { faults } from './faults.ts';

export interface OutputChunk { stream: 'stdout' | 'stderr'; data: Buffer }

export class RunningCommand {
  readonly chunks: OutputChunk[] = [];
  bufferedBytes = 0;
  stdoutEnded = false;
  stderrEnded = false;
  exitCode: number | undefined;
  /** true once Receive has reported End for each stream. */
  endReported = { stdout: false, stderr: false };
  private waiters = new Set<() => void>();

  constructor(readonly id: string, readonly process: SimProcess) {
    process.stdout.on('data', (d: Buffer | string) => this.push('stdout', d));
    process.stderr.on('data', (d: Buffer | string) => this.push('stderr', d));
    process.stdout.once('end', () => { this.stdoutEnded = true; this.wake(); });
    process.stderr.once('end', () => { this.stderrEnded = true; this.wake(); });
    process.stdout.once('error', () => { this.stdoutEnded = true; this.wake(); });
    process.stderr.once('error', () => { this.stderrEnded = true; this.wake(); });
    process.exit.then((code) => { this.exitCode = code; }, () => { this.exitCode = 1; }).finally(() => {
      // A process that exits without ending its streams must still complete.
      this.stdoutEnded = true;
      this.stderrEnded = true;
      this.wake();
    });
  }

  private push(stream: 'stdout' | 'stderr', d: Buffer | string): void {
    const data = typeof d === 'string' ? Buffer.from(d) : d;
    if (data.length === 0) return;
    this.chunks.push({ stream, data });
    this.bufferedBytes += data.length;
    this.wake();
  }

  get finished(): boolean {
    return this.exitCode !== undefined && this.stdoutEnded && this.stderrEnded;
  }

  /** Something a Receive could report now. */
  get hasNews(): boolean {
    return this.chunks.length > 0 || this.finished;
  }

  /** Takes up to `maxBytes` of buffered output, keeping stream order. */
  take(maxBytes: number): OutputChunk[] {
    const out: OutputChunk[] = [];
    let budget = maxBytes;
    while (this.chunks.length > 0 && budget > 0) {
      const head = this.chunks[0]!;
      if (head.data.length <= budget) {
        out.push(head);
        this.chunks.shift();
        budget -= head.data.length;
      } else {
        out.push({ stream: head.stream, data: head.data.subarray(0, budget) });
        head.data = head.data.subarray(budget);
        budget = 0;
      }
    }
    this.bufferedBytes -= maxBytes - budget;
    return out;
  }

  /** Resolves when there is news or after `ms`; returns whether there is news. */
  waitForNews(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.hasNews) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve(this.hasNews);
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export interface Shell {
  readonly id: string;
  readonly user: string;
  readonly env: Record<string, string>;
  readonly options: Record<string, string>;
  readonly commands: Map<string, RunningCommand>;
  lastActivity: number;
  /** This shell's IdleTimeOut: the client's request, capped by the service's setting. */
  readonly idleTimeoutMs: number;
  /** Requests in progress on the shell (a waiting Receive is activity, not idleness). */
  busy: number;
  readonly created: number;
}

export interface ShellLimits {
  maxShellsPerUser: number;
  idleTimeoutMs: number;
}

export class ShellRegistry {
  private readonly shells = new Map<string, Shell>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly host: () => CommandHost, private readonly limits: ShellLimits) {}

  get size(): number {
    return this.shells.size;
  }

  create(user: string, env: Record<string, string>, options: Record<string, string>, requestedIdleMs?: number): Shell {
    const owned = [...this.shells.values()].filter((s) => s.user.toLowerCase() === user.toLowerCase()).length;
    if (owned >= this.limits.maxShellsPerUser) throw faults.shellQuota(this.limits.maxShellsPerUser);
    const now = Date.now();
    const shell: Shell = { id: randomUUID().toUpperCase(), user, env, options, commands: new Map(), lastActivity: now, busy: 0, created: now,
      idleTimeoutMs: Math.min(requestedIdleMs && requestedIdleMs > 0 ? requestedIdleMs : this.limits.idleTimeoutMs, this.limits.idleTimeoutMs),
    };
    this.shells.set(shell.id, shell);
    this.startSweeper();
    return shell;
  }

  /** The caller's shell, or the Windows fault for a missing one / another user's. */
  get(id: string | undefined, user: string): Shell {
    if (!id) throw faults.missingSelector();
    const shell = this.shells.get(id.toUpperCase());
    if (!shell) throw faults.shellNotFound(id);
    if (shell.user.toLowerCase() !== user.toLowerCase()) throw faults.accessDenied();
    shell.lastActivity = Date.now();
    return shell;
  }

  run(shell: Shell, commandLine: string, env: Record<string, string>, commandId?: string): RunningCommand {
    const id = (commandId ?? randomUUID()).toUpperCase();
    const proc = this.host().spawn(commandLine, { user: shell.user, via: 'winrm', env: { ...shell.env, ...env } });
    const command = new RunningCommand(id, proc);
    shell.commands.set(id, command);
    return command;
  }

  command(shell: Shell, commandId: string | undefined): RunningCommand {
    const command = commandId ? shell.commands.get(commandId.toUpperCase()) : undefined;
    if (!command) throw faults.commandNotFound(commandId ?? '');
    return command;
  }

  terminate(shell: Shell, commandId: string, remove: boolean): void {
    const command = this.command(shell, commandId);
    command.process.terminate();
    if (remove) shell.commands.delete(command.id);
  }

  delete(shell: Shell): void {
    for (const command of shell.commands.values()) command.process.terminate();
    shell.commands.clear();
    this.shells.delete(shell.id);
    if (this.shells.size === 0) this.stopSweeper();
  }

  /** Host restart or simulator reset: every shell is gone, as after a WinRM service restart. */
  clear(): void {
    for (const shell of [...this.shells.values()]) this.delete(shell);
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    const every = Math.max(50, Math.min(60_000, Math.floor(this.limits.idleTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private sweep(): void {
    const now = Date.now();
    for (const shell of [...this.shells.values()]) {
      if (shell.busy === 0 && shell.lastActivity < now - shell.idleTimeoutMs) this.delete(shell);
    }
  }
}
