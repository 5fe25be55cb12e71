/**
 * The simulated AetherV.Agent.ps1: one aetherv.agent/1 request on stdin, NDJSON on stdout
 * (CRLF line endings, as PowerShell writes them), exit 0 once a result line is written.
 * Faults (latency, per-operation delay and failure rate) and the operation log live here.
 */
import type { HostFaults, OpLogEntry } from '../contracts.ts';
import { AgentFailure } from './failure.ts';
import type { HostModel } from './model.ts';
import { makeSleep, type LogLevel, type OpContext } from './ops/context.ts';
import { OPERATIONS } from './ops/index.ts';
import type { ProcessIo } from './process.ts';
import type { SimRuntime } from './runtime.ts';
import { schemas } from './schemas.ts';

export function logLine(level: LogLevel, message: string): string {
  return `${JSON.stringify({ type: 'log', level, message, time: new Date().toISOString() })}\r\n`;
}

export function resultLine(id: string | null, outcome: { result: Record<string, unknown> } | { error: AgentFailure }): string {
  const body = 'result' in outcome ? { type: 'result', id, ok: true, result: outcome.result } : { type: 'result', id, ok: false, error: outcome.error.toJSON() };
  return `${JSON.stringify(body)}\r\n`;
}

export interface AgentRun {
  host: HostModel;
  rt: SimRuntime;
  faults: HostFaults;
  installDirectory: string;
}

function record(run: AgentRun, operation: string, params: unknown, outcome: OpLogEntry['outcome'], errorCode?: string): void {
  const entry: OpLogEntry = { seq: run.rt.nextSeq++, host: run.host.name, operation, params, time: new Date().toISOString(), outcome };
  if (errorCode !== undefined) entry.errorCode = errorCode;
  run.rt.oplog.push(entry);
}

export async function runAgent(run: AgentRun, io: ProcessIo): Promise<number> {
  const input = (await io.readAll()).replace(/^\uFEFF/, '').trim();
  let request: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(input);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    request = parsed as Record<string, unknown>;
  } catch {
    io.out(resultLine(null, { error: new AgentFailure('INVALID_REQUEST', input === '' ? 'No input received on standard input.' : 'Standard input is not one JSON object.') }));
    return 0;
  }
  const id = typeof request.id === 'string' && /^[0-9a-f-]{36}$/i.test(request.id) ? request.id : null;
  const operation = typeof request.operation === 'string' ? request.operation : '';
  const reject = (error: AgentFailure): number => {
    record(run, operation, request.params, 'rejected', error.code);
    io.out(resultLine(id, { error }));
    return 0;
  };
  if (request.protocol !== 'aetherv.agent/1' && typeof request.protocol === 'string') {
    return reject(new AgentFailure('UNSUPPORTED_PROTOCOL', `Protocol '${request.protocol}' is not supported; this agent speaks aetherv.agent/1.`, { supported: ['aetherv.agent/1'] }));
  }
  const v = schemas();
  const envelopeIssues = v.check('agent/envelope.request.json', request);
  if (envelopeIssues.length > 0) return reject(new AgentFailure('INVALID_REQUEST', 'The request envelope is invalid.', { errors: envelopeIssues }));
  const handler = OPERATIONS[operation];
  if (!handler || !v.operations.includes(operation)) return reject(new AgentFailure('UNKNOWN_OPERATION', `Unknown operation '${operation}'.`));
  const paramIssues = v.check(`agent/operations/${operation}.params.json`, request.params);
  if (paramIssues.length > 0) return reject(new AgentFailure('INVALID_PARAMS', `Invalid parameters for ${operation}.`, { errors: paramIssues }));

  const deadline = Date.now() + (request.deadlineSeconds as number) * 1000;
  const ctx: OpContext = {
    host: run.host,
    rt: run.rt,
    installDirectory: run.installDirectory,
    deadline,
    log: (level, message) => io.out(logLine(level, message)),
    sleep: makeSleep(run.rt, deadline),
  };
  try {
    await injectFaults(run, operation);
    const result = await withDeadline(handler(ctx, request.params), deadline);
    record(run, operation, request.params, 'ok');
    io.out(resultLine(id, { result }));
  } catch (err) {
    const failure = err instanceof AgentFailure ? err : new AgentFailure('INTERNAL', err instanceof Error ? err.message : String(err));
    record(run, operation, request.params, 'error', failure.code);
    io.out(resultLine(id, { error: failure }));
  }
  return 0;
}

async function injectFaults(run: AgentRun, operation: string): Promise<void> {
  const f = run.faults;
  const perOp = f.operations[operation] ?? {};
  const delay = f.latencyMs + (f.jitterMs > 0 ? Math.floor(run.rt.rng.next() * f.jitterMs) : 0) + (perOp.delayMs ?? 0);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  const rate = perOp.failureRate ?? f.failureRate;
  if (rate > 0 && run.rt.rng.next() < rate) {
    throw new AgentFailure('HOST_BUSY', 'The Virtual Machine Management Service is busy; try again later.');
  }
}

function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AgentFailure('DEADLINE_EXCEEDED', 'The operation did not complete within deadlineSeconds.')), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
