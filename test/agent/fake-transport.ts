/**
 * A scripted HostTransport for unit tests of the agent client: each run is answered by a
 * handler that sees the parsed request and may emit stdout lines over time.
 */
import type { HostTransport, RunCommandOptions, RunCommandResult } from '../../server/src/remoting/transport.ts';

export interface FakeRun {
  host: string;
  options: RunCommandOptions;
  request: { protocol: string; id: string; operation: string; params: unknown; deadlineSeconds: number };
}

export interface FakeReply {
  lines?: string[];
  exitCode?: number;
  stderr?: string;
}

export type FakeHandler = (run: FakeRun, emit: (line: string) => void) => Promise<FakeReply> | FakeReply;

export class FakeHosts {
  readonly runs: FakeRun[] = [];
  active = 0;
  maxActive = 0;
  readonly activeByHost = new Map<string, number>();
  readonly maxActiveByHost = new Map<string, number>();

  constructor(public handler: FakeHandler) {}

  get(host: string): HostTransport {
    return {
      host,
      kind: 'ssh',
      run: (options) => this.run(host, options),
      close: async () => undefined,
    };
  }

  private async run(host: string, options: RunCommandOptions): Promise<RunCommandResult> {
    const request = JSON.parse(String(options.stdin)) as FakeRun['request'];
    const run: FakeRun = { host, options, request };
    this.runs.push(run);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const hostActive = (this.activeByHost.get(host) ?? 0) + 1;
    this.activeByHost.set(host, hostActive);
    this.maxActiveByHost.set(host, Math.max(this.maxActiveByHost.get(host) ?? 0, hostActive));
    try {
      const stdout: string[] = [];
      const emit = (line: string) => {
        stdout.push(line);
        options.onStdoutLine?.(line);
      };
      const reply = await this.handler(run, emit);
      for (const line of reply.lines ?? []) emit(line);
      return { exitCode: reply.exitCode ?? 0, stdout: stdout.join('\n'), stderr: reply.stderr ?? '' };
    } finally {
      this.active--;
      this.activeByHost.set(host, (this.activeByHost.get(host) ?? 1) - 1);
    }
  }
}

export const ok = (run: FakeRun, result: unknown = {}) => JSON.stringify({ type: 'result', id: run.request.id, ok: true, result });
export const fail = (run: FakeRun, code: string, retryable = false) =>
  JSON.stringify({ type: 'result', id: run.request.id, ok: false, error: { code, message: `${code} happened`, retryable } });
export const log = (message: string, level = 'info') => JSON.stringify({ type: 'log', level, message, time: new Date().toISOString() });
export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
