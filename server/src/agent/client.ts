/**
 * The host agent client: one `aetherv.agent/1` call = validate params → wait for a slot
 * (per host, then in total) → circuit breaker → run the agent command over the host's
 * transport → read NDJSON → typed result or AppError. Retryable failures are retried with
 * backoff; each attempt is a new request id and takes a new slot.
 */
import pRetry from 'p-retry';
import { AppError, isAppError } from '../errors.ts';
import type { HostTransport } from '../remoting/transport.ts';
import { refuseUnreachableShares } from '../remoting/second-hop.ts';
import type { RemotingSettings } from '../remoting/settings.ts';
import { HostBreakers, DEFAULT_BREAKER, type BreakerSettings, type BreakerState } from './breaker.ts';
import { agentCommand, DEFAULT_INSTALL_DIRECTORY } from './command.ts';
import { HostLimiter, DEFAULT_LIMITS, type ConcurrencyLimits } from './limits.ts';
import { AgentResponseReader, buildRequest, operationFailed, type AgentLog, type ResponseContext } from './protocol.ts';
import type { AgentOperationMap } from './types.generated.ts';
import { sharedContractValidator, type ContractValidator } from './validation.ts';

export type AgentOperationName = keyof AgentOperationMap;
export type AgentParams<Op extends AgentOperationName> = AgentOperationMap[Op]['params'];
export type AgentResult<Op extends AgentOperationName> = AgentOperationMap[Op]['result'];

/** Minimal pino-compatible logger. */
export interface AgentLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Where the client gets a host's transport (a TransportPool, or a fake in unit tests). */
export interface TransportSource {
  get(host: string): HostTransport;
}

export interface RetrySettings {
  /** Retries after the first attempt (0 = no retry). */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { retries: 2, minTimeoutMs: 500, maxTimeoutMs: 5_000 };

export interface AgentClientOptions {
  transports: TransportSource;
  /** HOST_INSTALL_DIRECTORY. */
  installDirectory?: string;
  limits?: Partial<ConcurrencyLimits>;
  breaker?: Partial<BreakerSettings>;
  retry?: Partial<RetrySettings>;
  /** Used when a call does not say (seconds). */
  defaultDeadlineSeconds?: number;
  /** Contract checks of params and results; `null` turns them off (not recommended). */
  validator?: ContractValidator | null;
  logger?: AgentLogger;
  /** Issue 16 (second hop): how each host is reached, so storage on SMB shares it cannot reach is refused before the call. */
  remotingFor?: (host: string) => RemotingSettings;
}

export interface AgentCallOptions {
  /** The agent gives up after this long; the transport waits a little longer for its answer. */
  deadlineSeconds?: number;
  signal?: AbortSignal;
  /** Carried to the transport and every log line (HTTP request → job → host call). */
  correlationId?: string;
  /** Progress lines, as they arrive. */
  onLog?: (log: AgentLog) => void;
  /** Overrides the client's retry count for this call (e.g. 0 for a probe). */
  retries?: number;
}

/** How long the transport waits beyond the agent's own deadline for its (deadline) answer. */
export function transportTimeoutMs(deadlineSeconds: number): number {
  const grace = Math.min(60_000, Math.max(5_000, deadlineSeconds * 100));
  return deadlineSeconds * 1000 + grace;
}

/**
 * Failures worth another attempt: the error says so, except a deadline (the caller's time
 * budget is spent), an open circuit (the breaker decides when to try again) and cancellation.
 */
export function shouldRetry(error: unknown): boolean {
  if (!isAppError(error)) return false;
  if (error.code === 'AGENT_DEADLINE' || error.code === 'REMOTE_CIRCUIT_OPEN' || error.code === 'REMOTE_CANCELLED') return false;
  if (error.details.agentCode === 'DEADLINE_EXCEEDED') return false;
  return error.retryable;
}

export class AgentClient {
  readonly installDirectory: string;
  private readonly command: string;
  private readonly limiter: HostLimiter;
  private readonly breakers: HostBreakers;
  private readonly retry: RetrySettings;
  private readonly defaultDeadlineSeconds: number;
  private readonly validator: Promise<ContractValidator | null>;

  constructor(private readonly options: AgentClientOptions) {
    this.installDirectory = options.installDirectory ?? DEFAULT_INSTALL_DIRECTORY;
    this.command = agentCommand(this.installDirectory);
    this.limiter = new HostLimiter({ ...DEFAULT_LIMITS, ...options.limits });
    this.breakers = new HostBreakers({ ...DEFAULT_BREAKER, ...options.breaker });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.defaultDeadlineSeconds = options.defaultDeadlineSeconds ?? 300;
    this.validator = options.validator === undefined ? sharedContractValidator() : Promise.resolve(options.validator);
  }

  /** Runs one operation on a host and returns its typed result. */
  async call<Op extends AgentOperationName>(host: string, operation: Op, params: AgentParams<Op>, options: AgentCallOptions = {}): Promise<AgentResult<Op>> {
    const validator = await this.validator;
    validator?.checkParams(operation, params);
    if (this.options.remotingFor) refuseUnreachableShares(host, operation, params, this.options.remotingFor(host));
    const result = await this.guarded(host, operation, options, (attempt) => this.attempt(host, operation, params, options, attempt));
    const problems = validator?.resultProblems(operation, result) ?? [];
    if (problems.length > 0) {
      throw new AppError('AGENT_TRANSPORT', `Host agent on ${host} answered ${operation} with a result that does not match the contract: ${problems.slice(0, 5).join('; ')}`, {
        retryable: false,
        details: { host, operation, errors: problems },
      });
    }
    return result as AgentResult<Op>;
  }

  /**
   * Runs `attempt` under the host's limits and breaker, retrying what is retryable. Shared by
   * agent operations and bootstrap scripts, which use the same envelope.
   */
  async guarded<T>(host: string, label: string, options: AgentCallOptions, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
    const retries = options.retries ?? this.retry.retries;
    let attemptNumber = 0;
    try {
      return await this.retrying(host, label, options, retries, () => {
        attemptNumber++;
        const current = attemptNumber;
        return this.breakers.execute(host, () => this.limiter.run(host, () => attempt(current)));
      });
    } catch (error) {
      if (!isAppError(error) && options.signal?.aborted) {
        throw new AppError('REMOTE_CANCELLED', `${label} on ${host} was cancelled`, { cause: error, details: { host, operation: label } });
      }
      throw error;
    }
  }

  private retrying<T>(host: string, label: string, options: AgentCallOptions, retries: number, run: () => Promise<T>): Promise<T> {
    return pRetry(
      run,
      {
        retries,
        minTimeout: this.retry.minTimeoutMs,
        maxTimeout: this.retry.maxTimeoutMs,
        randomize: true,
        signal: options.signal,
        shouldRetry: ({ error }) => shouldRetry(error),
        onFailedAttempt: ({ error, attemptNumber: n, retriesLeft }) => {
          this.options.logger?.warn({ host, operation: label, correlationId: options.correlationId, attempt: n, retriesLeft, code: (error as AppError).code }, 'agent call attempt failed');
        },
      },
    );
  }

  private async attempt(host: string, operation: string, params: unknown, options: AgentCallOptions, attemptNumber: number): Promise<unknown> {
    const deadlineSeconds = options.deadlineSeconds ?? this.defaultDeadlineSeconds;
    const request = buildRequest(operation, params, deadlineSeconds);
    const context: ResponseContext = { host, operation, expectedId: request.id };
    const logger = this.options.logger;
    // Operation names and ids only: params may hold secrets (kvp.set payloads).
    logger?.debug({ host, operation, requestId: request.id, correlationId: options.correlationId, attempt: attemptNumber }, 'agent call');
    const started = Date.now();
    const outcome = await this.exchange(host, this.command, JSON.stringify(request), context, options, transportTimeoutMs(request.deadlineSeconds));
    logger?.debug({ host, operation, requestId: request.id, correlationId: options.correlationId, ok: outcome.ok, ms: Date.now() - started }, 'agent call done');
    if (!outcome.ok) throw operationFailed(context, outcome.error);
    return outcome.result;
  }

  /** Runs a command that speaks the agent's NDJSON envelope and reads its outcome. */
  async exchange(host: string, command: string, stdin: string, context: ResponseContext, options: AgentCallOptions, timeoutMs: number) {
    const onLog = (log: AgentLog) => {
      this.options.logger?.debug({ host, operation: context.operation, requestId: context.expectedId, correlationId: options.correlationId, level: log.level }, `agent: ${log.message}`);
      options.onLog?.(log);
    };
    const reader = new AgentResponseReader(context, onLog);
    const transport = this.options.transports.get(host);
    let run;
    try {
      run = await transport.run({ command, stdin, onStdoutLine: reader.onLine, signal: options.signal, timeoutMs, correlationId: options.correlationId });
    } catch (error) {
      throw mapTransportError(error, context, timeoutMs);
    }
    return reader.finish(run.exitCode, run.stderr);
  }

  breakerState(host: string): BreakerState {
    return this.breakers.state(host);
  }

  load(host?: string): { active: number; pending: number } {
    return this.limiter.load(host);
  }

  // --- typed operations (one per entry of Schemas/agent/operations.json; a test keeps them in step) ---
  hostInfo(host: string, params: AgentParams<'host.info'> = {}, options?: AgentCallOptions) { return this.call(host, 'host.info', params, options); }
  inventoryCollect(host: string, params: AgentParams<'inventory.collect'> = {}, options?: AgentCallOptions) { return this.call(host, 'inventory.collect', params, options); }
  imageCopy(host: string, params: AgentParams<'image.copy'>, options?: AgentCallOptions) { return this.call(host, 'image.copy', params, options); }
  isoAttach(host: string, params: AgentParams<'iso.attach'>, options?: AgentCallOptions) { return this.call(host, 'iso.attach', params, options); }
  isoDetach(host: string, params: AgentParams<'iso.detach'>, options?: AgentCallOptions) { return this.call(host, 'iso.detach', params, options); }
  vmCreate(host: string, params: AgentParams<'vm.create'>, options?: AgentCallOptions) { return this.call(host, 'vm.create', params, options); }
  vmUpdate(host: string, params: AgentParams<'vm.update'>, options?: AgentCallOptions) { return this.call(host, 'vm.update', params, options); }
  vmDelete(host: string, params: AgentParams<'vm.delete'>, options?: AgentCallOptions) { return this.call(host, 'vm.delete', params, options); }
  vmPower(host: string, params: AgentParams<'vm.power'>, options?: AgentCallOptions) { return this.call(host, 'vm.power', params, options); }
  diskCreate(host: string, params: AgentParams<'disk.create'>, options?: AgentCallOptions) { return this.call(host, 'disk.create', params, options); }
  diskUpdate(host: string, params: AgentParams<'disk.update'>, options?: AgentCallOptions) { return this.call(host, 'disk.update', params, options); }
  diskDelete(host: string, params: AgentParams<'disk.delete'>, options?: AgentCallOptions) { return this.call(host, 'disk.delete', params, options); }
  nicCreate(host: string, params: AgentParams<'nic.create'>, options?: AgentCallOptions) { return this.call(host, 'nic.create', params, options); }
  nicUpdate(host: string, params: AgentParams<'nic.update'>, options?: AgentCallOptions) { return this.call(host, 'nic.update', params, options); }
  nicDelete(host: string, params: AgentParams<'nic.delete'>, options?: AgentCallOptions) { return this.call(host, 'nic.delete', params, options); }
  kvpGet(host: string, params: AgentParams<'kvp.get'>, options?: AgentCallOptions) { return this.call(host, 'kvp.get', params, options); }
  kvpSet(host: string, params: AgentParams<'kvp.set'>, options?: AgentCallOptions) { return this.call(host, 'kvp.set', params, options); }
  kvpRemove(host: string, params: AgentParams<'kvp.remove'>, options?: AgentCallOptions) { return this.call(host, 'kvp.remove', params, options); }
  clusterAddVm(host: string, params: AgentParams<'cluster.addVm'>, options?: AgentCallOptions) { return this.call(host, 'cluster.addVm', params, options); }
  clusterRemoveVm(host: string, params: AgentParams<'cluster.removeVm'>, options?: AgentCallOptions) { return this.call(host, 'cluster.removeVm', params, options); }
}

/** The transport's REMOTE_TIMEOUT is the agent's deadline passing; everything else keeps its REMOTE_* code. */
function mapTransportError(error: unknown, context: ResponseContext, timeoutMs: number): AppError {
  if (isAppError(error)) {
    if (error.code === 'REMOTE_TIMEOUT') {
      return new AppError('AGENT_DEADLINE', `${context.operation} on ${context.host} gave no answer within ${Math.round(timeoutMs / 1000)} s`, {
        cause: error,
        details: { host: context.host, operation: context.operation, requestId: context.expectedId },
      });
    }
    return error;
  }
  return new AppError('REMOTE_PROTOCOL', `Calling ${context.operation} on ${context.host} failed: ${(error as Error).message}`, { cause: error, details: { host: context.host, operation: context.operation } });
}
