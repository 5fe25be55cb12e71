/**
 * One circuit breaker per host (cockatiel): after repeated transport failures the host is
 * left alone for a while (calls fail fast with REMOTE_CIRCUIT_OPEN), then a single trial call
 * decides whether it is back. Only failures to reach the host or get a valid response count;
 * an agent that answers "VM_NOT_FOUND" is a healthy host.
 */
import { circuitBreaker, ConsecutiveBreaker, handleWhen, isBrokenCircuitError, CircuitState, type CircuitBreakerPolicy } from 'cockatiel';
import { AppError, isAppError } from '../errors.ts';

export interface BreakerSettings {
  /** Consecutive transport failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  halfOpenAfterMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 5, halfOpenAfterMs: 30_000 };

/** Failures that say something about the host or the path to it. */
export function isHostFailure(error: unknown): boolean {
  if (!isAppError(error)) return true;
  if (error.code === 'REMOTE_CANCELLED' || error.code === 'REMOTE_CIRCUIT_OPEN') return false;
  return error.code.startsWith('REMOTE_') || error.code === 'AGENT_TRANSPORT' || error.code === 'AGENT_DEADLINE';
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export class HostBreakers {
  private readonly policies = new Map<string, CircuitBreakerPolicy>();

  constructor(private readonly settings: BreakerSettings = DEFAULT_BREAKER) {}

  async execute<T>(host: string, work: () => Promise<T>): Promise<T> {
    try {
      return await this.policy(host).execute(work);
    } catch (error) {
      if (isBrokenCircuitError(error)) {
        throw new AppError('REMOTE_CIRCUIT_OPEN', `${host} failed ${this.settings.failureThreshold} times in a row; calls are paused for up to ${Math.round(this.settings.halfOpenAfterMs / 1000)} s before a trial call`, { details: { host } });
      }
      throw error;
    }
  }

  state(host: string): BreakerState {
    const policy = this.policies.get(host);
    if (!policy) return 'closed';
    switch (policy.state) {
      case CircuitState.Open: return 'open';
      case CircuitState.HalfOpen: return 'half-open';
      case CircuitState.Isolated: return 'isolated';
      default: return 'closed';
    }
  }

  private policy(host: string): CircuitBreakerPolicy {
    let policy = this.policies.get(host);
    if (!policy) {
      policy = circuitBreaker(handleWhen(isHostFailure), {
        halfOpenAfter: this.settings.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.settings.failureThreshold),
      });
      this.policies.set(host, policy);
    }
    return policy;
  }
}
