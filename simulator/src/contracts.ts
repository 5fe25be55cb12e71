/**
 * The seams inside the simulator: endpoints (WinRM, SSH, control API) on one side, the
 * simulated Windows host (command dispatch, Hyper-V model, agent operations, guests) on the
 * other. Endpoints only call these interfaces; the host side never knows which protocol
 * carried a command. The simulator never imports server code (DESIGN §1).
 */
import type { Readable, Writable } from 'node:stream';

/** A running command on a simulated host, like a child process. */
export interface SimProcess {
  /** Bytes the client sends (WinRS Send / SSH channel data). End it to close stdin. */
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves with the exit code once stdout and stderr have ended. */
  readonly exit: Promise<number>;
  /** WinRS Signal terminate / SSH channel close: stop now; exit resolves (code 1 if it had not finished). */
  terminate(): void;
}

export interface CommandContext {
  /** The authenticated user name (e.g. `lab\\admin` or `admin`). */
  user: string;
  /** Which endpoint carried it, for the operation log. */
  via: 'winrm' | 'ssh';
  /** Environment variables the client set (WinRS <rsp:Environment>, e.g. WINRS_SKIP_CMD_SHELL). */
  env?: Record<string, string>;
}

/** Runs command lines the way cmd.exe / OpenSSH's default shell on Windows would. */
export interface CommandHost {
  /** `commandLine` is the command plus its arguments joined by spaces, as cmd.exe would see it. */
  spawn(commandLine: string, context: CommandContext): SimProcess;
}

/** Fault settings of one host (control API `PUT /hosts/{name}/faults`). */
export interface HostFaults {
  latencyMs: number;
  jitterMs: number;
  /** 0..1: chance an agent operation fails with a retryable HOST_BUSY error. */
  failureRate: number;
  /** 0..1: chance an endpoint drops the connection of a request without answering. */
  dropRate: number;
  /** true: every authentication attempt is refused (401). */
  authFailure: boolean;
  /** true: files the install bootstrap downloads arrive with one byte changed (corruption in transit). */
  corruptDownloads?: boolean;
  /** Per agent operation (e.g. "image.copy"): failure rate and extra delay. */
  operations: Record<string, { failureRate?: number; delayMs?: number }>;
}

export const NO_FAULTS: HostFaults = { latencyMs: 0, jitterMs: 0, failureRate: 0, dropRate: 0, authFailure: false, operations: {} };

/** One entry of the operation log (control API `GET /oplog`). */
export interface OpLogEntry {
  seq: number;
  host: string;
  operation: string;
  params: unknown;
  time: string;
  outcome: 'ok' | 'error' | 'rejected';
  errorCode?: string;
}
