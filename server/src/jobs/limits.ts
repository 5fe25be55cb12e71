/**
 * The engine's limits (DESIGN §6): a cap on workers (job code executing at once) and named
 * per-host slots (e.g. one `image.copy` per host). A job that sleeps or waits for a slot
 * gives its worker back, so waiting work can never starve the work it waits for — the
 * upstream fixed pool of six deadlocked exactly that way.
 */
import { AppError } from '../errors.ts';
import type { SlotLeases } from './slots.ts';

/** A FIFO counting semaphore whose waiters can give up (abort) without leaking a permit. */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<{ grant: () => void }> = [];

  constructor(readonly capacity: number) {
    this.available = capacity;
  }

  get inUse(): number {
    return this.capacity - this.available;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.available > 0 && this.waiters.length === 0) {
      this.available -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    // The permit passes straight to the next waiter: nobody can overtake the queue.
    if (next) next.grant();
    else this.available = Math.min(this.capacity, this.available + 1);
  }
}

export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new AppError('JOB_CANCELLED', 'the job was cancelled');
}

/** Parses `image.copy=1,vm.create=4` (JOB_HOST_SLOTS). */
export function parseHostSlots(text: string | undefined): Record<string, number> {
  const slots: Record<string, number> = {};
  for (const part of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9._-]+)\s*=\s*(\d+)$/.exec(part);
    if (match && Number(match[2]) > 0) slots[match[1]!] = Number(match[2]);
  }
  return slots;
}

/** Named per-host slots; a resource nobody configured gets one slot per host. */
export class HostSlots {
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(private readonly capacities: Record<string, number>, private readonly fallback = 1) {}

  private semaphore(host: string, resource: string): Semaphore {
    const key = `${host.toLowerCase()}\u0000${resource}`;
    let semaphore = this.semaphores.get(key);
    if (!semaphore) {
      semaphore = new Semaphore(this.capacities[resource] ?? this.fallback);
      this.semaphores.set(key, semaphore);
    }
    return semaphore;
  }

  /**
   * Runs work holding a slot. With `shared` (PostgreSQL, several replicas) the slot is also
   * taken in the store, after this process's own queue, so the limit holds across replicas.
   */
  async run<T>(host: string, resource: string, work: () => Promise<T>, hooks: { signal?: AbortSignal; beforeWait?: () => void; afterWait?: () => Promise<void>; shared?: { leases: SlotLeases; jobId: string } } = {}): Promise<T> {
    const semaphore = this.semaphore(host, resource);
    let release: (() => Promise<void>) | undefined;
    hooks.beforeWait?.();
    try {
      await semaphore.acquire(hooks.signal);
      try {
        if (hooks.shared) release = await hooks.shared.leases.acquire(resource, host, semaphore.capacity, hooks.shared.jobId, hooks.signal);
      } catch (error) {
        semaphore.release();
        throw error;
      }
    } finally {
      await hooks.afterWait?.();
    }
    try {
      return await work();
    } finally {
      // A release that cannot reach the store is not fatal: the slot's lease then expires.
      await release?.().catch(() => undefined);
      semaphore.release();
    }
  }

  /** Holders and waiters of one slot (for tests and diagnostics). */
  usage(host: string, resource: string): { inUse: number; waiting: number; capacity: number } {
    const s = this.semaphore(host, resource);
    return { inUse: s.inUse, waiting: s.waiting, capacity: s.capacity };
  }
}
