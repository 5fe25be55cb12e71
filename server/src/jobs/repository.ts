/**
 * Persistence of jobs, steps, log lines and rollbacks (Kysely; SQLite and PostgreSQL alike).
 * Claiming uses `FOR UPDATE SKIP LOCKED` on PostgreSQL so replicas never take the same job.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, JobTable, JobStepTable } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { JobEventView, JobListFilter, JobStepView, JobSummary, JobView, JobError, JobState, StepState } from './types.ts';

export type JobRow = Selectable<JobTable>;
export type StepRow = Selectable<JobStepTable>;
type JobPatch = Partial<Omit<JobTable, 'id'>>;

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text) as unknown);
const now = () => new Date().toISOString();

export function toSummary(row: JobRow): JobSummary {
  return {
    id: row.id, kind: row.kind, state: row.state, host: row.host, vmId: row.vm_id,
    requestedBy: row.requested_by, correlationId: row.correlation_id,
    createdAt: row.created_at, startedAt: row.started_at, finishedAt: row.finished_at,
    currentStep: row.current_step, cancelRequested: row.cancel_requested === 1,
    error: parse(row.error) as JobError | null,
  };
}

export function toStepView(row: StepRow): JobStepView {
  return { index: row.index, name: row.name, state: row.state, startedAt: row.started_at, finishedAt: row.finished_at, output: parse(row.output), error: parse(row.error) as JobError | null };
}

export class JobRepository {
  constructor(private readonly store: Store) {}

  private get db(): Kysely<Database> {
    return this.store.db;
  }

  /** The database itself, for neighbours of the job tables (jobs/slots.ts). */
  get database(): Kysely<Database> {
    return this.store.db;
  }

  get dialect(): 'sqlite' | 'postgres' {
    return this.store.dialect;
  }

  async insert(row: JobRow, stepNames: string[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('jobs').values(row).execute();
      if (stepNames.length > 0) {
        await tx.insertInto('job_steps').values(stepNames.map((name, index) => ({ job_id: row.id, index, name, state: 'pending' as const, started_at: null, finished_at: null, output: null, error: null }))).execute();
      }
    });
  }

  async byIdempotencyKey(requestedBy: string, key: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('requested_by', '=', requestedBy).where('idempotency_key', '=', key).executeTakeFirst();
  }

  async row(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async steps(id: string): Promise<StepRow[]> {
    return this.db.selectFrom('job_steps').selectAll().where('job_id', '=', id).orderBy('index').execute();
  }

  async view(id: string): Promise<JobView | undefined> {
    const row = await this.row(id);
    if (!row) return undefined;
    const steps = await this.steps(id);
    return { ...toSummary(row), params: parse(row.params) as Record<string, unknown>, hasSecrets: row.secrets !== null, steps: steps.map(toStepView), result: parse(row.result) };
  }

  /** Newest first; the cursor is the last item's (createdAt, id). */
  async list(filter: JobListFilter, limit: number, after?: { createdAt: string; id: string }): Promise<{ rows: JobRow[]; total: number }> {
    let query = this.db.selectFrom('jobs');
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.host) query = query.where('host', '=', filter.host);
    if (filter.vmId) query = query.where('vm_id', '=', filter.vmId);
    const counted = await query.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    let page = query.selectAll();
    if (after) {
      page = page.where((eb) => eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]));
    }
    const rows = await page.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return { rows, total: Number(counted.n) };
  }

  /**
   * Runs a running job's writes only while `owner` still holds its lease: the job row is read
   * FOR SHARE in the same transaction, so a replica taking the job over (an UPDATE of that row)
   * waits for these writes or they see its claim and write nothing. False when the lease is gone.
   */
  async whileOwner(id: string, owner: string | null, write: (db: Kysely<Database>) => Promise<void>): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      let check = tx.selectFrom('jobs').select('lease_owner').where('id', '=', id);
      if (this.dialect === 'postgres') check = check.forShare();
      const row = await check.executeTakeFirst();
      if (!row || row.lease_owner !== owner) return false;
      await write(tx);
      return true;
    });
  }

  /** With `fence`, written only while that replica holds the lease (see whileOwner); false when it does not. */
  async update(id: string, patch: JobPatch, fence?: { owner: string | null }): Promise<boolean> {
    const write = async (db: Kysely<Database>) => { await db.updateTable('jobs').set(patch).where('id', '=', id).execute(); };
    if (fence) return this.whileOwner(id, fence.owner, write);
    await write(this.db);
    return true;
  }

  /** Updates the job only while this replica still holds it (a replica that lost its lease writes nothing). */
  async updateOwned(id: string, owner: string | null, patch: JobPatch): Promise<boolean> {
    let query = this.db.updateTable('jobs').set(patch).where('id', '=', id);
    query = owner === null ? query.where('lease_owner', 'is', null) : query.where('lease_owner', '=', owner);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Written only while `fence.owner` holds the job's lease; false when it does not. */
  async updateStep(id: string, index: number, patch: { state?: StepState; started_at?: string | null; finished_at?: string | null; output?: string | null; error?: string | null }, fence: { owner: string | null }): Promise<boolean> {
    return this.whileOwner(id, fence.owner, async (db) => {
      await db.updateTable('job_steps').set(patch).where('job_id', '=', id).where('index', '=', index).execute();
    });
  }

  /**
   * Appends a log line with the next sequence number; retried when another writer took the number.
   * With `fence`, only while that replica holds the lease (undefined when it does not).
   */
  async appendEvent(jobId: string, level: JobEventView['level'], message: string, step: string | null, fence?: { owner: string | null }): Promise<JobEventView | undefined> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        let event: JobEventView | undefined;
        const write = async (db: Kysely<Database>) => {
          const last = await db.selectFrom('job_events').select((eb) => eb.fn.max('seq').as('seq')).where('job_id', '=', jobId).executeTakeFirst();
          event = { seq: Number(last?.seq ?? 0) + 1, time: now(), level, message, step };
          await db.insertInto('job_events').values({ job_id: jobId, ...event }).execute();
        };
        if (fence) {
          if (!(await this.whileOwner(jobId, fence.owner, write))) return undefined;
        } else {
          await write(this.db);
        }
        return event;
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
  }

  async events(jobId: string, after: number, limit: number): Promise<JobEventView[]> {
    const rows = await this.db.selectFrom('job_events').select(['seq', 'time', 'level', 'message', 'step']).where('job_id', '=', jobId).where('seq', '>', after).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /** Written only while `fence.owner` holds the job's lease; false when it does not. */
  async addRollback(jobId: string, name: string, stepIndex: number | null, data: unknown, fence: { owner: string | null }): Promise<boolean> {
    return this.whileOwner(jobId, fence.owner, async (db) => {
      const last = await db.selectFrom('job_rollbacks').select((eb) => eb.fn.max('seq').as('seq')).where('job_id', '=', jobId).executeTakeFirst();
      await db.insertInto('job_rollbacks').values({ job_id: jobId, seq: Number(last?.seq ?? 0) + 1, name, step_index: stepIndex, data: JSON.stringify(data ?? null), done: 0 }).execute();
    });
  }

  /** Rollbacks still to run, newest first. */
  async pendingRollbacks(jobId: string): Promise<Array<{ seq: number; name: string; stepIndex: number | null; data: unknown }>> {
    const rows = await this.db.selectFrom('job_rollbacks').selectAll().where('job_id', '=', jobId).where('done', '=', 0).orderBy('seq', 'desc').execute();
    return rows.map((r) => ({ seq: Number(r.seq), name: r.name, stepIndex: r.step_index, data: parse(r.data) }));
  }

  /** Written only while `fence.owner` holds the job's lease; false when it does not. */
  async rollbackDone(jobId: string, seq: number, fence: { owner: string | null }): Promise<boolean> {
    return this.whileOwner(jobId, fence.owner, async (db) => {
      await db.updateTable('job_rollbacks').set({ done: 1 }).where('job_id', '=', jobId).where('seq', '=', seq).execute();
    });
  }

  /**
   * Jobs whose process died: with SQLite (one replica) every job still `running` at start-up;
   * with PostgreSQL those whose lease expired. They become `interrupted`, then claimable.
   */
  async interruptOrphans(atStartup: boolean): Promise<string[]> {
    let query = this.db.updateTable('jobs').set({ state: 'interrupted', lease_owner: null, lease_expires_at: null }).where('state', '=', 'running');
    if (!(atStartup && this.dialect === 'sqlite')) query = query.where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now())]));
    const rows = await query.returning('id').execute();
    return rows.map((r) => r.id);
  }

  /** Takes up to `limit` runnable jobs of the given kinds, oldest first, for this replica. */
  async claim(owner: string, kinds: string[], limit: number, leaseUntil: string, exclude: string[] = []): Promise<JobRow[]> {
    if (kinds.length === 0 || limit <= 0) return [];
    const postgres = this.dialect === 'postgres';
    return this.db.transaction().execute(async (tx) => {
      let pick = tx.selectFrom('jobs').select('id').where('state', 'in', ['queued', 'interrupted'] as JobState[]).where('kind', 'in', kinds).orderBy('created_at').limit(limit);
      // A job still unwinding here (lease just lost) is not taken back before it has stopped.
      if (exclude.length > 0) pick = pick.where('id', 'not in', exclude);
      if (postgres) pick = pick.forUpdate().skipLocked();
      const ids = (await pick.execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      return tx.updateTable('jobs')
        .set((eb) => ({ state: 'running' as const, lease_owner: owner, lease_expires_at: leaseUntil, attempts: eb('attempts', '+', 1), started_at: eb.fn.coalesce('started_at', eb.val(now())) }))
        .where('id', 'in', ids).where('state', 'in', ['queued', 'interrupted'] as JobState[])
        .returningAll().execute();
    });
  }

  /** Extends this replica's leases; answers which of them asked to be cancelled and which are no longer ours. */
  async heartbeat(owner: string, ids: string[], leaseUntil: string): Promise<{ cancelled: string[]; lost: string[] }> {
    if (ids.length === 0) return { cancelled: [], lost: [] };
    await this.db.updateTable('jobs').set({ lease_expires_at: leaseUntil }).where('id', 'in', ids).where('lease_owner', '=', owner).where('state', '=', 'running').execute();
    const rows = await this.db.selectFrom('jobs').select(['id', 'lease_owner', 'state', 'cancel_requested']).where('id', 'in', ids).execute();
    return {
      cancelled: rows.filter((r) => r.cancel_requested === 1).map((r) => r.id),
      lost: rows.filter((r) => r.lease_owner !== owner || r.state !== 'running').map((r) => r.id),
    };
  }

  async kindsWaiting(): Promise<string[]> {
    const rows = await this.db.selectFrom('jobs').select('kind').distinct().where('state', 'in', ['queued', 'interrupted'] as JobState[]).execute();
    return rows.map((r) => r.kind);
  }
}
