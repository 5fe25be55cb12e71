/**
 * Runs one claimed job to its end: steps in order (completed ones skipped on resume, `when`
 * honoured, each under a deadline and the job's cancel signal), outputs and log lines
 * persisted and streamed, rollbacks newest first on failure or cancel. Every text that leaves
 * the runner (log lines, outputs, errors, result) has the job's secret values redacted.
 */
import type { Logger } from 'pino';
import { AppError, isAppError } from '../errors.ts';
import type { EventBus } from '../events/bus.ts';
import type { JobKind, JobRecord, JobServices, JobStep } from './kind.ts';
import type { HostSlots, Semaphore } from './limits.ts';
import { abortReason } from './limits.ts';
import type { SlotLeases } from './slots.ts';
import { makeContext, WorkerPermit, type ContextParts } from './context.ts';
import { toStepView, toSummary, type JobRepository, type JobRow } from './repository.ts';
import { redactText, redactValue, secretValues, type SecretBox } from './secrets.ts';
import type { JobError, JobState } from './types.ts';

export interface RunnerDeps {
  repo: JobRepository;
  bus: EventBus;
  services: JobServices;
  box: SecretBox;
  workers: Semaphore;
  slots: HostSlots;
  /** Slots held in the store so they bind every replica (PostgreSQL). */
  sharedSlots?: SlotLeases;
  /** How long an aborted step is waited for before rollbacks run without it (seconds). */
  abortGraceSeconds: number;
  logger: Logger;
}

/** Why a run stopped early without finishing the job here. */
export class RunStopped extends Error {
  constructor(readonly why: 'shutdown' | 'lost') {
    super(why === 'shutdown' ? 'the orchestrator is shutting down' : 'another replica took this job over');
  }
}

const now = () => new Date().toISOString();

export class JobRun {
  readonly controller = new AbortController();
  private redactions: string[] = [];
  private logChain: Promise<unknown> = Promise.resolve();
  private currentStep: string | null = null;
  private readonly permit: WorkerPermit;
  private readonly logger: Logger;

  /** The replica's claim on this job (from the claim); every write of the run is fenced by it. */
  private readonly owner: string | null;
  private readonly fence: { owner: string | null };

  constructor(private readonly deps: RunnerDeps, private readonly kind: JobKind, private row: JobRow) {
    this.owner = row.lease_owner;
    this.fence = { owner: this.owner };
    this.permit = new WorkerPermit(deps.workers);
    this.logger = deps.logger.child({ jobId: row.id, kind: row.kind, correlationId: row.correlation_id });
  }

  get id(): string {
    return this.row.id;
  }

  cancel(by: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(new AppError('JOB_CANCELLED', `the job was cancelled by ${by}`));
  }

  stop(why: 'shutdown' | 'lost'): void {
    if (!this.controller.signal.aborted) this.controller.abort(new RunStopped(why));
  }

  async run(): Promise<void> {
    try {
      await this.execute();
    } catch (error) {
      if (error instanceof RunStopped) await this.stopped(error);
      else this.logger.error({ err: error }, 'job run failed unexpectedly');
    } finally {
      this.permit.give();
      await this.logChain;
    }
  }

  private async execute(): Promise<void> {
    const { repo } = this.deps;
    const id = this.row.id;
    void this.publishSummary();
    let secrets: Record<string, unknown> = {};
    try {
      if (this.row.secrets) secrets = this.deps.box.decrypt(this.row.secrets, id);
    } catch (error) {
      await this.finish('failed', this.toJobError(error));
      return;
    }
    this.redactions = secretValues(secrets);
    const stepRows = await repo.steps(id);
    const outputs: Record<string, unknown> = {};
    for (const s of stepRows) if (s.state === 'succeeded' && s.output !== null) outputs[s.name] = JSON.parse(s.output) as unknown;
    const record: JobRecord = { id, kind: this.row.kind, host: this.row.host, vmId: this.row.vm_id, params: JSON.parse(this.row.params) as Record<string, unknown>, requestedBy: this.row.requested_by, correlationId: this.row.correlation_id };
    const parts = this.contextParts(record, secrets, outputs);
    if (this.row.attempts > 1) this.log('warn', `resuming (attempt ${this.row.attempts}) from the last completed step`);
    else this.log('info', `started by ${this.row.requested_by}`);

    // A job interrupted while it was already failing or being cancelled finishes that first.
    if (this.row.cancel_requested === 1) return this.cancelled(parts, this.row.cancelled_by ?? 'a user');
    if (this.row.error) return this.failed(parts, JSON.parse(this.row.error) as JobError, null);

    for (const [index, step] of this.kind.steps.entries()) {
      const stored = stepRows.find((s) => s.index === index);
      if (stored && (stored.state === 'succeeded' || stored.state === 'skipped')) continue;
      const outcome = await this.runStep(parts, step, index);
      if (outcome === 'cancelled') return this.cancelled(parts, this.cancelledBy());
      if (outcome !== 'ok') return this.failed(parts, outcome, index);
    }
    let result: unknown;
    try {
      result = this.kind.result ? this.kind.result(makeContext(parts, this.controller.signal)) ?? null : null;
    } catch (error) {
      return this.failed(parts, this.toJobError(error), null);
    }
    this.currentStep = null;
    this.log('info', 'succeeded');
    await this.finish('succeeded', null, result);
  }

  private async runStep(parts: ContextParts, step: JobStep, index: number): Promise<'ok' | 'cancelled' | JobError> {
    const { repo, services } = this.deps;
    const id = this.row.id;
    if (this.controller.signal.aborted) return this.abortOutcome(this.controller.signal);
    const deadlineCtx = makeContext(parts, this.controller.signal);
    this.currentStep = step.name;
    if (step.when && !step.when(deadlineCtx)) {
      await this.owned(repo.updateStep(id, index, { state: 'skipped', finished_at: now() }, this.fence));
      await this.publishStep(index);
      this.log('info', `step ${step.name} skipped`);
      return 'ok';
    }
    const seconds = step.deadlineSeconds?.(deadlineCtx) ?? services.settings.stepDeadlineSeconds;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new AppError('JOB_STEP_DEADLINE', `step ${step.name} did not finish within ${seconds} s`, { details: { step: step.name, deadlineSeconds: seconds } })), seconds * 1000);
    const signal = AbortSignal.any([this.controller.signal, deadline.signal]);
    const ctx = makeContext(parts, signal);
    let work: Promise<unknown> | undefined;
    try {
      await this.permit.take();
      await this.owned(repo.updateStep(id, index, { state: 'running', started_at: now(), finished_at: null, error: null }, this.fence));
      await this.owned(repo.update(id, { current_step: step.name }, this.fence));
      await this.publishStep(index);
      void this.publishSummary();
      this.log('info', `step ${step.name} started`);
      work = step.run(ctx);
      const output = await raceAbort(work, signal);
      const stored = redactValue(output ?? null, this.redactions);
      parts.outputs[step.name] = stored;
      await this.owned(repo.updateStep(id, index, { state: 'succeeded', finished_at: now(), output: JSON.stringify(stored) }, this.fence));
      await this.publishStep(index);
      this.log('info', `step ${step.name} succeeded`);
      return 'ok';
    } catch (error) {
      // An aborted step may still be acting on the host: rollbacks (or the replica that resumes
      // the job) must not race it, so it is given a bounded time to settle first.
      if (work && signal.aborted) await this.settle(work, step.name);
      if (this.controller.signal.reason instanceof RunStopped) throw this.controller.signal.reason;
      const outcome = this.controller.signal.aborted ? this.abortOutcome(this.controller.signal) : this.toJobError(deadline.signal.aborted ? deadline.signal.reason : error);
      const stepError = outcome === 'cancelled' ? { code: 'JOB_CANCELLED', message: 'cancelled while running' } : outcome;
      await this.owned(repo.updateStep(id, index, { state: 'failed', finished_at: now(), error: JSON.stringify(stepError) }, this.fence));
      await this.publishStep(index);
      this.log('error', `step ${step.name} failed: ${stepError.message}`);
      return outcome;
    } finally {
      clearTimeout(timer);
      this.permit.give();
    }
  }

  /** Waits for an aborted step's own promise, at most abortGraceSeconds. */
  private async settle(work: Promise<unknown>, name: string): Promise<void> {
    const seconds = this.deps.abortGraceSeconds;
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      work.then(() => true, () => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), seconds * 1000); }),
    ]);
    clearTimeout(timer);
    if (!settled) {
      this.log('warn', `step ${name} did not stop within ${seconds} s of being aborted; going on without waiting for it`);
      this.logger.warn({ step: name, graceSeconds: seconds }, 'aborted step still running after its grace');
    }
  }

  /** A write that found the lease gone: another replica runs this job now, so this run stops here. */
  private async owned(written: Promise<boolean>): Promise<void> {
    if (!(await written)) throw this.leaseLost();
  }

  private leaseLost(): RunStopped {
    if (!this.controller.signal.aborted) this.logger.warn('job lease lost to another replica; this run stops without writing');
    this.stop('lost');
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof RunStopped ? reason : new RunStopped('lost');
  }

  private abortOutcome(signal: AbortSignal): 'cancelled' {
    if (signal.reason instanceof RunStopped) throw signal.reason;
    return 'cancelled';
  }

  private cancelledBy(): string {
    const reason: unknown = this.controller.signal.reason;
    const match = reason instanceof AppError ? /cancelled by (.*)$/.exec(reason.message) : null;
    return match?.[1] ?? this.row.cancelled_by ?? 'a user';
  }

  private async failed(parts: ContextParts, error: JobError, _index: number | null): Promise<void> {
    // Recorded before rolling back, so a restart during the rollback knows how the job ends.
    await this.owned(this.deps.repo.update(this.row.id, { error: JSON.stringify(error) }, this.fence));
    const failures = await this.rollBack(parts);
    await this.finish('failed', failures.length > 0 ? { ...error, details: { ...error.details, rollbackFailures: failures } } : error);
  }

  private async cancelled(parts: ContextParts, by: string): Promise<void> {
    this.log('warn', `cancel requested by ${by}; rolling back`);
    const failures = await this.rollBack(parts);
    await this.finish('cancelled', { code: 'JOB_CANCELLED', message: `cancelled by ${by}`, ...(failures.length > 0 ? { details: { rollbackFailures: failures } } : {}) });
  }

  /** Runs pending rollbacks newest first; one failing does not stop the others. */
  private async rollBack(parts: ContextParts): Promise<string[]> {
    const { repo, services } = this.deps;
    const failures: string[] = [];
    for (const rollback of await repo.pendingRollbacks(this.row.id)) {
      const undo = this.kind.rollbacks?.[rollback.name];
      if (!undo) {
        failures.push(`${rollback.name}: no such rollback in kind ${this.kind.kind}`);
        continue;
      }
      // A rollback runs even after cancel, so it gets its own deadline and a fresh signal.
      const deadline = AbortSignal.timeout(services.settings.stepDeadlineSeconds * 1000);
      try {
        await this.permit.take();
        this.log('info', `rolling back: ${rollback.name}`);
        await raceAbort(undo(makeContext(parts, deadline), rollback.data), deadline);
        await this.owned(repo.rollbackDone(this.row.id, rollback.seq, this.fence));
        if (rollback.stepIndex !== null) {
          await this.owned(repo.updateStep(this.row.id, rollback.stepIndex, { state: 'rolled-back' }, this.fence));
          await this.publishStep(rollback.stepIndex);
        }
      } catch (error) {
        if (error instanceof RunStopped) throw error;
        const message = this.toJobError(error).message;
        failures.push(`${rollback.name}: ${message}`);
        this.log('error', `rollback ${rollback.name} failed: ${message}`);
      } finally {
        this.permit.give();
      }
    }
    return failures;
  }

  private async finish(state: JobState, error: JobError | null, result: unknown = null): Promise<void> {
    await this.logChain;
    await this.deps.repo.updateOwned(this.row.id, this.owner, {
      state, finished_at: now(), current_step: null, lease_owner: null, lease_expires_at: null,
      error: error ? JSON.stringify(redactValue(error, this.redactions)) : null,
      result: result === null ? null : JSON.stringify(redactValue(result, this.redactions)),
    });
    await this.publishSummary(true);
  }

  private async stopped(reason: RunStopped): Promise<void> {
    if (reason.why === 'lost') return;
    this.log('warn', 'interrupted: the orchestrator is shutting down; the job resumes when it starts again');
    await this.logChain;
    await this.deps.repo.updateOwned(this.row.id, this.owner, { state: 'interrupted', lease_owner: null, lease_expires_at: null });
    await this.publishSummary(true);
  }

  private contextParts(job: JobRecord, secrets: Record<string, unknown>, outputs: Record<string, unknown>): ContextParts {
    return {
      job, secrets, outputs, services: this.deps.services, logger: this.logger, permit: this.permit, slots: this.deps.slots, sharedSlots: this.deps.sharedSlots,
      log: (level, message) => this.log(level, message),
      setTarget: async (target) => {
        if (target.host !== undefined) job.host = target.host;
        if (target.vmId !== undefined) job.vmId = target.vmId;
        await this.owned(this.deps.repo.update(job.id, { host: job.host, vm_id: job.vmId }, this.fence));
        await this.publishSummary(true);
      },
      registerRollback: async (name, data) => {
        const index = this.kind.steps.findIndex((s) => s.name === this.currentStep);
        await this.owned(this.deps.repo.addRollback(job.id, name, index >= 0 ? index : null, data, this.fence));
      },
    };
  }

  /** Persists and streams a log line; writes are chained so they keep their order. */
  log(level: 'info' | 'warn' | 'error', message: string): void {
    const text = redactText(message, this.redactions);
    const step = this.currentStep;
    this.logChain = this.logChain
      .then(() => this.deps.repo.appendEvent(this.row.id, level, text, step, this.fence))
      .then((event) => {
        if (event) this.deps.bus.publish(`jobs:${this.row.id}`, 'job.log', { jobId: this.row.id, ...event });
        else this.leaseLost();
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'job log line not stored'));
  }

  private toJobError(error: unknown): JobError {
    const base: JobError = isAppError(error)
      ? { code: error.code, message: error.message, ...(Object.keys(error.details).length > 0 ? { details: error.details } : {}) }
      : { code: 'JOB_STEP_FAILED', message: error instanceof Error ? error.message : String(error) };
    return redactValue(base, this.redactions);
  }

  private async publishStep(index: number): Promise<void> {
    const step = (await this.deps.repo.steps(this.row.id)).find((s) => s.index === index);
    if (step) this.deps.bus.publish(`jobs:${this.row.id}`, 'job.step', { jobId: this.row.id, ...toStepView(step) });
  }

  private async publishSummary(reload = false): Promise<void> {
    if (reload) this.row = (await this.deps.repo.row(this.row.id)) ?? this.row;
    else this.row = { ...this.row, current_step: this.currentStep };
    this.deps.bus.publish('jobs', 'job.updated', toSummary(this.row));
  }
}

/** Resolves with the work, or rejects as soon as the signal aborts (runStep then gives the work a bounded time to settle). */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then((value) => { signal.removeEventListener('abort', onAbort); resolve(value); }, (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error as Error); });
  });
}
