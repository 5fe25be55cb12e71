/**
 * How many agent calls may be in flight: per host (HOST_CONCURRENCY) and in total
 * (REMOTE_CONCURRENCY). A call first waits for its host's slot and only then for a global
 * one, so a busy host queues behind itself without holding global slots other hosts need.
 */
import pLimit, { type LimitFunction } from 'p-limit';

export interface ConcurrencyLimits {
  perHost: number;
  total: number;
}

export const DEFAULT_LIMITS: ConcurrencyLimits = { perHost: 4, total: 32 };

export class HostLimiter {
  private readonly total: LimitFunction;
  private readonly hosts = new Map<string, LimitFunction>();

  constructor(private readonly limits: ConcurrencyLimits = DEFAULT_LIMITS) {
    this.total = pLimit(limits.total);
  }

  run<T>(host: string, work: () => Promise<T>): Promise<T> {
    let hostLimit = this.hosts.get(host);
    if (!hostLimit) {
      hostLimit = pLimit(this.limits.perHost);
      this.hosts.set(host, hostLimit);
    }
    return hostLimit(() => this.total(work));
  }

  /** Calls running and waiting, for health reports. */
  load(host?: string): { active: number; pending: number } {
    const limit = host === undefined ? this.total : this.hosts.get(host);
    return { active: limit?.activeCount ?? 0, pending: limit?.pendingCount ?? 0 };
  }
}
