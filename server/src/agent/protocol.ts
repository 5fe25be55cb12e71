/**
 * The `aetherv.agent/1` wire format (DESIGN §3): the request written to stdin, and the NDJSON
 * read back from stdout — progress lines, then exactly one result line. Anything else is a
 * transport-level failure that keeps the raw stderr (truncated) for diagnosis.
 */
import { decodeClixml } from '../remoting/clixml.ts';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';

export const AGENT_PROTOCOL = 'aetherv.agent/1';

export interface AgentRequest<P = unknown> {
  protocol: typeof AGENT_PROTOCOL;
  id: string;
  operation: string;
  params: P;
  deadlineSeconds: number;
}

export type AgentLogLevel = 'info' | 'warn' | 'error';

export interface AgentLog {
  level: AgentLogLevel;
  message: string;
  /** The agent's timestamp (ISO 8601), when it sent one. */
  time?: string;
}

export interface AgentFailure {
  code: string;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export type AgentOutcome = { ok: true; result: unknown } | { ok: false; error: AgentFailure };

export function buildRequest<P>(operation: string, params: P, deadlineSeconds: number, id: string = randomUUID()): AgentRequest<P> {
  return { protocol: AGENT_PROTOCOL, id, operation, params, deadlineSeconds: Math.max(1, Math.ceil(deadlineSeconds)) };
}

/** What the response is checked against; `expectedId: null` for bootstrap scripts, whose result id is null. */
export interface ResponseContext {
  host: string;
  operation: string;
  expectedId: string | null;
}

const STDERR_KEEP = 4000;
const LINE_KEEP = 300;

/** Keeps the head and tail of long diagnostics: the first error and the last words are what matter. */
export function truncateForDiagnosis(text: string, keep = STDERR_KEEP): string {
  if (text.length <= keep) return text;
  const half = Math.floor(keep / 2);
  return `${text.slice(0, half)}\n… [${text.length - keep} characters omitted] …\n${text.slice(-half)}`;
}

/**
 * Reads the agent's stdout line by line as it arrives: log lines go to `onLog` immediately,
 * the result is kept. Call `finish` with the exit code and stderr once the command ended.
 */
export class AgentResponseReader {
  private outcome: AgentOutcome | undefined;
  private violation: string | undefined;
  private lineNumber = 0;

  constructor(
    private readonly context: ResponseContext,
    private readonly onLog: (log: AgentLog) => void = () => undefined,
  ) {}

  readonly onLine = (raw: string): void => {
    this.lineNumber++;
    // Windows PowerShell may prefix its first UTF-8 line with a byte-order mark.
    const line = (this.lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (line === '' || this.violation) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.violation = `stdout line ${this.lineNumber} is not JSON: ${JSON.stringify(line.slice(0, LINE_KEEP))}`;
      return;
    }
    if (!isObject(value)) {
      this.violation = `stdout line ${this.lineNumber} is not a JSON object`;
      return;
    }
    if (value.type === 'log') this.readLog(value);
    else if (value.type === 'result') this.readResult(value);
    else this.violation = `stdout line ${this.lineNumber} has unknown type ${JSON.stringify(value.type)}`;
  };

  private readLog(value: Record<string, unknown>): void {
    const level = value.level === 'warn' || value.level === 'error' ? value.level : 'info';
    const log: AgentLog = { level, message: typeof value.message === 'string' ? value.message : String(value.message) };
    if (typeof value.time === 'string') log.time = value.time;
    this.onLog(log);
  }

  private readResult(value: Record<string, unknown>): void {
    if (this.outcome) {
      this.violation = `stdout line ${this.lineNumber} is a second result line`;
      return;
    }
    const id = value.id ?? null;
    const expected = this.context.expectedId;
    const idMatches = expected === null ? id === null : typeof id === 'string' && id.toLowerCase() === expected.toLowerCase();
    // An unreadable request is answered with id null: that is still the agent speaking to us.
    const unreadableRequest = id === null && value.ok === false;
    if (!idMatches && !unreadableRequest) {
      this.violation = `result line carries id ${JSON.stringify(id)}, expected ${JSON.stringify(expected)}`;
      return;
    }
    if (value.ok === true && isObject(value.result)) {
      this.outcome = { ok: true, result: value.result };
    } else if (value.ok === false && isObject(value.error) && typeof value.error.code === 'string') {
      const error = value.error;
      const failure: AgentFailure = {
        code: error.code as string,
        message: typeof error.message === 'string' ? error.message : String(error.code),
        retryable: error.retryable === true,
      };
      if (isObject(error.details)) failure.details = error.details;
      this.outcome = { ok: false, error: failure };
    } else {
      this.violation = `result line ${this.lineNumber} is neither {ok:true,result:{…}} nor {ok:false,error:{code,…}}`;
    }
  }

  /** The outcome, or an AGENT_TRANSPORT error explaining what was wrong with the response. */
  finish(exitCode: number, stderr: string): AgentOutcome {
    const { host, operation } = this.context;
    let problem = this.violation;
    if (!problem && !this.outcome) problem = 'the agent wrote no result line';
    if (!problem && exitCode !== 0) problem = `the agent exited with code ${exitCode} after writing its result`;
    if (problem) {
      const exitPart = exitCode === 0 || problem.includes('exited') ? '' : ` (exit code ${exitCode})`;
      // Issue 16: -EncodedCommand (bootstrap) errors arrive as CLIXML; keep what a person would read.
      const stderrText = truncateForDiagnosis(decodeClixml(stderr).trim());
      const firstError = stderrText.split('\n', 1)[0]!.slice(0, 300);
      throw new AppError('AGENT_TRANSPORT', `Host agent on ${host} gave no valid response to ${operation}: ${problem}${exitPart}${firstError ? `: ${firstError}` : ''}`, {
        details: { host, operation, exitCode, stderr: stderrText, requestId: this.context.expectedId },
      });
    }
    return this.outcome!;
  }
}

/** The AppError for an agent's `ok:false` result: the agent's code and retryable flag are kept. */
export function operationFailed(context: ResponseContext, failure: AgentFailure): AppError {
  return new AppError('AGENT_OPERATION_FAILED', `${context.operation} on ${context.host} failed: ${failure.code}: ${failure.message}`, {
    retryable: failure.retryable,
    details: { host: context.host, operation: context.operation, agentCode: failure.code, agentDetails: failure.details, requestId: context.expectedId },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
