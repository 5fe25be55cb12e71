/**
 * How we reach a host: run one command, feed it stdin, stream its stdout lines.
 * Knows nothing about Hyper-V or the agent protocol (DESIGN §1, §3).
 * Implementations: winrm/ (WS-Management WinRS) and ssh/ (OpenSSH via ssh2).
 * Failures are AppErrors with REMOTE_* codes from server/src/errors.ts.
 */
/** The part of a pino logger the transports use (one definition for both transports). */
export interface RemotingLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RunCommandOptions {
  /** The full command line, e.g. the agent command of DESIGN §3. */
  command: string;
  /** Written to the command's standard input, which is then closed. */
  stdin?: Buffer | string;
  /** Called with each complete stdout line (without the newline) as it arrives. */
  onStdoutLine?: (line: string) => void;
  /** Aborting cancels the call: the remote command is terminated, the promise rejects with REMOTE_CANCELLED. */
  signal?: AbortSignal;
  /** Overall deadline for the call; exceeded → REMOTE_TIMEOUT (the remote command is terminated). */
  timeoutMs?: number;
  /** Carried into log lines for tracing (HTTP request → job → host call). */
  correlationId?: string;
}

export interface RunCommandResult {
  exitCode: number;
  /** All stdout, decoded as UTF-8. */
  stdout: string;
  /** All stderr, decoded as UTF-8 (kept for diagnosis). */
  stderr: string;
}

export interface HostTransport {
  readonly host: string;
  readonly kind: 'winrm' | 'ssh';
  run(options: RunCommandOptions): Promise<RunCommandResult>;
  /** Release pooled shells/connections. */
  close(): Promise<void>;
}
