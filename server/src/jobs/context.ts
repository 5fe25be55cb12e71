/**
 * The StepContext a running step sees (kind.ts): persisted log lines, rollbacks, outputs,
 * target updates, and waits (sleep, per-host slots) that hand the worker back while waiting.
 */
import type { Logger } from 'pino';
import type { JobRecord, JobServices, StepContext } from './kind.ts';
import type { HostSlots, Semaphore } from './limits.ts';
import { abortReason } from './limits.ts';
import type { SlotLeases } from './slots.ts';

/** The worker a job holds while its code executes; released for waits. */
export class WorkerPermit {
  private held = false;

  constructor(private readonly workers: Semaphore) {}

  async take(): Promise<void> {
    if (this.held) return;
    await this.workers.acquire();
    this.held = true;
  }

  give(): void {
    if (!this.held) return;
    this.held = false;
    this.workers.release();
  }
}

export interface ContextParts {
  job: JobRecord;
  secrets: Record<string, unknown>;
  services: JobServices;
  outputs: Record<string, unknown>;
  logger: Logger;
  permit: WorkerPermit;
  slots: HostSlots;
  /** Store-held slots shared by every replica (PostgreSQL); absent with SQLite. */
  sharedSlots?: SlotLeases;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  setTarget(target: { host?: string; vmId?: string }): Promise<void>;
  registerRollback(name: string, data: unknown): Promise<void>;
}

export function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, seconds * 1000));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function makeContext(parts: ContextParts, signal: AbortSignal): StepContext {
  const { permit } = parts;
  return {
    job: parts.job,
    secrets: parts.secrets,
    services: parts.services,
    outputs: parts.outputs,
    logger: parts.logger,
    signal,
    log: parts.log,
    setTarget: parts.setTarget,
    registerRollback: parts.registerRollback,
    async sleep(seconds: number) {
      permit.give();
      try {
        await sleep(seconds, signal);
      } finally {
        await permit.take();
      }
    },
    withHostSlot<T>(host: string, resource: string, work: () => Promise<T>): Promise<T> {
      const shared = parts.sharedSlots ? { leases: parts.sharedSlots, jobId: parts.job.id } : undefined;
      return parts.slots.run(host, resource, work, { signal, beforeWait: () => permit.give(), afterWait: () => permit.take(), shared });
    },
  };
}
