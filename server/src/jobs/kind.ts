/**
 * The contract between the job engine and the job kinds (DESIGN §6, issue 7). The engine
 * persists jobs, steps, logs and step outputs, claims and resumes jobs, enforces limits,
 * cancels and rolls back; a kind only says which steps a job has and what each one does.
 *
 * Steps must be idempotent: after a crash the engine re-runs the step that was in progress
 * (its earlier outputs are kept), so a step first checks the world (e.g. "does a VM with this
 * name and our job tag already exist?") before acting. Observe → compare → act.
 */
import type { Logger } from 'pino';
import type { AgentClient } from '../agent/client.ts';
import type { InventoryService } from '../inventory/service.ts';
import type { DeploymentService } from '../deployment/service.ts';

/** What every step can use. */
export interface JobServices {
  agent: AgentClient;
  inventory: InventoryService;
  deployment: DeploymentService;
  /** Version of this build (written to guests as aetherv.version). */
  version: string;
  /** Settings from configuration: deadlines and poll intervals of waits, in seconds. */
  settings: JobSettings;
}

export interface JobSettings {
  /** Per-step default deadline (seconds). */
  stepDeadlineSeconds: number;
  /** How long provisioning waits for the guest to publish its key / report applied. */
  guestKeyTimeoutSeconds: number;
  guestApplyTimeoutSeconds: number;
  /** How often KVP is polled while waiting. */
  kvpPollSeconds: number;
}

/** A job's stable facts, as stored. Secrets are only in `secrets`, never in `params`. */
export interface JobRecord<P = Record<string, unknown>> {
  id: string;
  kind: string;
  /** Host the job touches (after placement for provisioning), for per-host limits and filters. */
  host: string | null;
  vmId: string | null;
  params: P;
  requestedBy: string;
  correlationId: string;
}

export interface StepContext<P = Record<string, unknown>, S = Record<string, unknown>> {
  job: JobRecord<P>;
  /** Decrypted secrets of this job (e.g. guest configuration passwords). Never log them. */
  secrets: S;
  services: JobServices;
  /** Outputs of completed steps by step name (persisted; survive restarts). */
  outputs: Record<string, unknown>;
  /** Persisted job log line (also streamed on `jobs:<id>`). */
  log(level: 'info' | 'warn' | 'error', message: string): void;
  logger: Logger;
  /** Aborted when the job is cancelled or the step's deadline passes. */
  signal: AbortSignal;
  /** Set the job's host/vmId once known (placement, vm.create). */
  setTarget(target: { host?: string; vmId?: string }): Promise<void>;
  /** Register an undo action; on cancel or failure they run newest first. Persisted by name + data. */
  registerRollback(name: string, data: unknown): Promise<void>;
  /** Waits without holding a worker slot; rejects when the signal aborts. */
  sleep(seconds: number): Promise<void>;
  /** Runs work while holding a named per-host slot (e.g. `image.copy` = 1 per host). */
  withHostSlot<T>(host: string, resource: string, work: () => Promise<T>): Promise<T>;
}

export interface JobStep<P = Record<string, unknown>, S = Record<string, unknown>> {
  name: string;
  /** Deadline for this step in seconds (default: settings.stepDeadlineSeconds). */
  deadlineSeconds?: (ctx: StepContext<P, S>) => number;
  /** Skipped when false (e.g. "cluster role" only when clustered). */
  when?: (ctx: StepContext<P, S>) => boolean;
  /** Returns the step's output (JSON), stored and visible to later steps. */
  run(ctx: StepContext<P, S>): Promise<unknown>;
}

export interface JobKind<P = Record<string, unknown>, S = Record<string, unknown>> {
  kind: string;
  steps: JobStep<P, S>[];
  /** Undo actions by name, run on cancel/failure in reverse order of registration. */
  rollbacks?: Record<string, (ctx: StepContext<P, S>, data: unknown) => Promise<void>>;
  /** The job's result once every step succeeded (e.g. `{ vmId }`). */
  result?(ctx: StepContext<P, S>): unknown;
}
