/**
 * The job engine (DESIGN §6, §7, issue 7): accepts submissions (idempotent by key), stores
 * them, claims runnable jobs for this replica and runs each as an async task (runner.ts).
 * Durability: on start, jobs a dead process left `running` become `interrupted` and resume
 * from their last completed step; with PostgreSQL, claims are leases renewed by a heartbeat,
 * so a dead replica's jobs are taken over once its lease expires.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import type { EventBus } from '../events/bus.ts';
import type { Store } from '../store/store.ts';
import type { JobKind, JobServices } from './kind.ts';
import { HostSlots, Semaphore } from './limits.ts';
import { JobRepository, toSummary, type JobRow } from './repository.ts';
import { JobRun } from './runner.ts';
import { SecretBox } from './secrets.ts';
import { StoreSlots } from './slots.ts';
import { canonicalJson } from './canonical.ts';
import { isFinished, type JobEventView, type JobListFilter, type JobSubmission, type JobSummary, type JobView } from './types.ts';

export interface JobEngineOptions {
  /** The store once open (undefined while it is still connecting). */
  storeOf: () => Store | undefined;
  bus: EventBus;
  services: JobServices;
  logger: Logger;
  /** SECRETS_KEY; absent in the laboratory (a per-run key is used). */
  secretsKey?: string;
  /** Workers: job code executing at once on this replica (JOB_CONCURRENCY). */
  concurrency?: number;
  /** Named per-host slots, e.g. `{ 'image.copy': 1 }` (JOB_HOST_SLOTS). */
  hostSlots?: Record<string, number>;
  /** Lease length for PostgreSQL claims (seconds); renewed at a third of it. */
  leaseSeconds?: number;
  /** How often the store is polled for jobs submitted elsewhere or left by a dead replica. */
  pollSeconds?: number;
  /** How long a cancelled (or timed-out) step is awaited before its rollbacks run anyway (seconds, default 5). */
  abortGraceSeconds?: number;
}

export interface JobPage {
  items: JobSummary[];
  total: number;
  nextCursor: string | null;
}

/** Jobs claimed per replica at most: waiting jobs hold no worker, so this may exceed the workers. */
const IN_FLIGHT_PER_WORKER = 8;

export class JobEngine {
  private readonly kinds = new Map<string, JobKind>();
  private readonly runs = new Map<string, { run: JobRun; done: Promise<void> }>();
  private readonly workers: Semaphore;
  readonly slots: HostSlots;
  private readonly box: SecretBox;
  readonly replicaId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private started = false;
  private stopping = false;
  private dispatching: Promise<void> | undefined;
  private again = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly leaseMs: number;
  private readonly maxInFlight: number;
  private storeSlots: StoreSlots | undefined;

  constructor(private readonly options: JobEngineOptions) {
    const concurrency = options.concurrency ?? 64;
    this.workers = new Semaphore(concurrency);
    this.maxInFlight = concurrency * IN_FLIGHT_PER_WORKER;
    this.slots = new HostSlots(options.hostSlots ?? { 'image.copy': 1 });
    this.box = new SecretBox(options.secretsKey);
    this.leaseMs = (options.leaseSeconds ?? 30) * 1000;
  }

  /** Kinds are typed for their own params and secrets; the engine only stores and passes JSON. */
  register<P = Record<string, unknown>, S = Record<string, unknown>>(kind: JobKind<P, S>): void {
    if (this.kinds.has(kind.kind)) throw new Error(`job kind ${kind.kind} is registered twice`);
    this.kinds.set(kind.kind, kind as unknown as JobKind);
    if (this.started) this.kick();
  }

  registerKinds<P = Record<string, unknown>, S = Record<string, unknown>>(kinds: ReadonlyArray<JobKind<P, S>>): void {
    for (const kind of kinds) this.register(kind);
  }

  hasKind(name: string): boolean {
    return this.kinds.has(name);
  }

  private get repo(): JobRepository {
    const store = this.options.storeOf();
    if (!store) throw new AppError('STORE_UNAVAILABLE', 'the store is not open yet; see /readyz');
    return new JobRepository(store);
  }

  /** Stores a job (queued) and returns it; the same idempotency key and body give the same job. */
  async submit(submission: JobSubmission): Promise<JobView> {
    const kind = this.kinds.get(submission.kind);
    if (!kind) throw new AppError('JOB_KIND_UNKNOWN', `no job kind named ${submission.kind}`);
    const repo = this.repo;
    const requestHash = this.box.digest(canonicalJson({ kind: submission.kind, params: submission.params, secrets: submission.secrets ?? null, host: submission.host ?? null, vmId: submission.vmId ?? null }));
    const key = submission.idempotencyKey;
    if (key) {
      const existing = await repo.byIdempotencyKey(submission.requestedBy, key);
      if (existing) return this.replay(existing, requestHash, key);
    }
    const id = randomUUID();
    const hasSecrets = submission.secrets !== undefined && Object.keys(submission.secrets).length > 0;
    const row: JobRow = {
      id, kind: submission.kind, state: 'queued', host: submission.host ?? null, vm_id: submission.vmId ?? null,
      params: JSON.stringify(submission.params), secrets: hasSecrets ? this.box.encrypt(submission.secrets, id) : null,
      idempotency_key: key ?? null, request_hash: requestHash, requested_by: submission.requestedBy, correlation_id: submission.correlationId,
      created_at: new Date().toISOString(), started_at: null, finished_at: null, result: null, error: null,
      cancel_requested: 0, cancelled_by: null, lease_owner: null, lease_expires_at: null, current_step: null, attempts: 0,
    };
    try {
      await repo.insert(row, kind.steps.map((s) => s.name));
    } catch (error) {
      // Two submissions with one key raced: the loser answers with the winner's job.
      const winner = key ? await repo.byIdempotencyKey(submission.requestedBy, key) : undefined;
      if (winner) return this.replay(winner, requestHash, key!);
      throw error;
    }
    await repo.appendEvent(id, 'info', `queued: ${submission.kind} requested by ${submission.requestedBy}`, null);
    this.options.bus.publish('jobs', 'job.created', toSummary(row));
    const view = (await repo.view(id))!;
    this.kick();
    return view;
  }

  private async replay(existing: JobRow, requestHash: string, key: string): Promise<JobView> {
    if (existing.request_hash !== requestHash) {
      throw new AppError('CONFLICT', `Idempotency-Key ${key} was already used for a different request (job ${existing.id})`, { details: { jobId: existing.id } });
    }
    return (await this.repo.view(existing.id))!;
  }

  async get(id: string): Promise<JobView> {
    const view = await this.repo.view(id);
    if (!view) throw new AppError('NOT_FOUND', `no job ${id}`);
    return view;
  }

  async list(filter: JobListFilter, page: { limit?: number; cursor?: string } = {}): Promise<JobPage> {
    const limit = page.limit ?? 50;
    const after = page.cursor ? decodeCursor(page.cursor) : undefined;
    const { rows, total } = await this.repo.list(filter, limit, after);
    const last = rows.at(-1);
    const nextCursor = last && rows.length === limit ? Buffer.from(JSON.stringify([last.created_at, last.id])).toString('base64url') : null;
    return { items: rows.map(toSummary), total, nextCursor };
  }

  /** Log lines after `after`, and whether the job has finished (a watcher stops then). */
  async events(id: string, after = 0, limit = 500): Promise<{ items: JobEventView[]; state: JobView['state']; finished: boolean }> {
    const repo = this.repo;
    const row = await repo.row(id);
    if (!row) throw new AppError('NOT_FOUND', `no job ${id}`);
    const items = await repo.events(id, after, limit);
    return { items, state: row.state, finished: isFinished(row.state) };
  }

  /** Cancels a job: a queued one ends at once; a running one is aborted and rolled back. */
  async cancel(id: string, by: string): Promise<JobView> {
    const repo = this.repo;
    const row = await repo.row(id);
    if (!row) throw new AppError('NOT_FOUND', `no job ${id}`);
    if (isFinished(row.state)) throw new AppError('CONFLICT', `job ${id} has already finished (${row.state})`, { details: { state: row.state } });
    await repo.update(id, { cancel_requested: 1, cancelled_by: by });
    if (row.state === 'queued') {
      await repo.update(id, { state: 'cancelled', finished_at: new Date().toISOString(), error: JSON.stringify({ code: 'JOB_CANCELLED', message: `cancelled by ${by} before it started` }) });
      await repo.appendEvent(id, 'warn', `cancelled by ${by} before it started`, null);
      this.options.bus.publish('jobs', 'job.updated', toSummary((await repo.row(id))!));
    } else {
      // Running here: abort now. Running on another replica: its heartbeat sees the flag.
      this.runs.get(id)?.run.cancel(by);
      if (row.state === 'interrupted') this.kick();
    }
    return (await repo.view(id))!;
  }

  /** Resolves once the job has finished (tests, and callers that want to wait). */
  async waitFor(id: string, timeoutMs = 60_000): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.get(id);
      if (isFinished(view.state)) return view;
      if (Date.now() > deadline) throw new AppError('REMOTE_TIMEOUT', `job ${id} did not finish within ${timeoutMs} ms (state ${view.state})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** This replica's engine state (for diagnostics). */
  stats(): { replicaId: string; started: boolean; kinds: string[]; inFlight: number; maxInFlight: number; workers: { capacity: number; inUse: number; waiting: number } } {
    return {
      replicaId: this.replicaId, started: this.started && !this.stopping, kinds: [...this.kinds.keys()].sort(),
      inFlight: this.runs.size, maxInFlight: this.maxInFlight,
      workers: { capacity: this.workers.capacity, inUse: this.workers.inUse, waiting: this.workers.waiting },
    };
  }

  /** Marks orphaned jobs interrupted, resumes them and starts claiming work. */
  async start(): Promise<void> {
    if (this.started) return;
    const repo = this.repo;
    this.started = true;
    await this.recoverOrphans(repo, true);
    const unknown = (await repo.kindsWaiting()).filter((k) => !this.kinds.has(k));
    if (unknown.length > 0) this.options.logger.warn({ kinds: unknown }, 'jobs of kinds this build does not know wait in the store');
    const poll = setInterval(() => this.kick(), (this.options.pollSeconds ?? 2) * 1000);
    const beat = setInterval(() => void this.heartbeat(), Math.max(100, Math.floor(this.leaseMs / 3)));
    poll.unref();
    beat.unref();
    this.timers.push(poll, beat);
    this.kick();
  }

  /** Stops claiming; running jobs are interrupted (they resume on the next start). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const { run } of this.runs.values()) run.stop('shutdown');
    await this.dispatching;
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
  }

  private async recoverOrphans(repo: JobRepository, atStartup: boolean): Promise<void> {
    const ids = (await repo.interruptOrphans(atStartup)).filter((id) => !this.runs.has(id));
    for (const id of ids) {
      this.options.logger.warn({ jobId: id }, 'job interrupted: the process running it stopped; it will resume');
      await repo.appendEvent(id, 'warn', 'interrupted: the process running this job stopped; resuming from the last completed step', null);
      const row = await repo.row(id);
      if (row) this.options.bus.publish('jobs', 'job.updated', toSummary(row));
    }
  }

  private kick(): void {
    if (!this.started || this.stopping) return;
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = this.dispatch().catch((error: unknown) => this.options.logger.error({ err: error }, 'job dispatch failed')).finally(() => {
      this.dispatching = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async dispatch(): Promise<void> {
    const repo = this.repo;
    const free = this.maxInFlight - this.runs.size;
    const rows = await repo.claim(this.replicaId, [...this.kinds.keys()], free, this.leaseUntil(), [...this.runs.keys()]);
    for (const row of rows) {
      const sharedSlots = repo.dialect === 'postgres' ? this.sharedSlots() : undefined;
      const run = new JobRun({ repo, bus: this.options.bus, services: this.options.services, box: this.box, workers: this.workers, slots: this.slots, sharedSlots, abortGraceSeconds: this.options.abortGraceSeconds ?? 5, logger: this.options.logger }, this.kinds.get(row.kind)!, row);
      const done = run.run().finally(() => {
        this.runs.delete(row.id);
        this.kick();
      });
      this.runs.set(row.id, { run, done });
    }
  }

  private sharedSlots(): StoreSlots {
    this.storeSlots ??= new StoreSlots(() => this.repo.database, this.replicaId, () => this.leaseUntil());
    return this.storeSlots;
  }

  private leaseUntil(): string {
    return new Date(Date.now() + this.leaseMs).toISOString();
  }

  private async heartbeat(): Promise<void> {
    try {
      const repo = this.repo;
      const leaseUntil = this.leaseUntil();
      const { cancelled, lost } = await repo.heartbeat(this.replicaId, [...this.runs.keys()], leaseUntil);
      if (repo.dialect === 'postgres') await this.sharedSlots().renew([...this.runs.keys()].filter((id) => !lost.includes(id)), leaseUntil);
      for (const id of lost) this.runs.get(id)?.run.stop('lost');
      for (const id of cancelled) {
        const row = await repo.row(id);
        this.runs.get(id)?.run.cancel(row?.cancelled_by ?? 'a user');
      }
      if (repo.dialect === 'postgres') await this.recoverOrphans(repo, false);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'job heartbeat failed');
    }
  }
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through
  }
  throw new AppError('BAD_REQUEST', 'cursor is not one this server issued; start again without it');
}
