/**
 * The audit log: who did what, when, from where, with which outcome (and the job it created).
 * Records hold identities, route templates, route parameters (ids) and statuses — never bodies,
 * tokens or passwords. Writing never fails a request: a store error is reported to the caller's log.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { AuditRecordTable } from '../store/schema.ts';

export type AuditOutcome = AuditRecordTable['outcome'];

export interface AuditEntry {
  subject?: string | null;
  name?: string | null;
  tokenName?: string | null;
  via?: string | null;
  method: string;
  route: string;
  target?: Record<string, string> | null;
  ip?: string | null;
  status: number;
  outcome: AuditOutcome;
  jobId?: string | null;
  correlationId?: string | null;
  detail?: string | null;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'target'>> {
  id: string;
  at: string;
  target: Record<string, string> | null;
}

export interface AuditQuery {
  subject?: string;
  outcome?: AuditOutcome;
  since?: string;
  route?: string;
  limit: number;
  offset: number;
}

const clip = (v: string | null | undefined, max: number): string | null => (v == null ? null : v.slice(0, max));

export class AuditLog {
  private sequence = 0;

  constructor(private readonly storeOf: () => Store) {}

  /** Ids that sort in recording order within this process (records of one millisecond included). */
  private nextId(now: number): string {
    this.sequence = (this.sequence + 1) % 36 ** 6;
    return `${now.toString(36).padStart(9, '0')}${this.sequence.toString(36).padStart(6, '0')}-${randomUUID().slice(0, 8)}`;
  }

  async record(entry: AuditEntry): Promise<void> {
    const now = Date.now();
    const row: AuditRecordTable = {
      id: this.nextId(now),
      at: new Date(now).toISOString(),
      subject: clip(entry.subject, 300),
      name: clip(entry.name, 300),
      token_name: clip(entry.tokenName, 100),
      via: clip(entry.via, 16),
      method: entry.method.slice(0, 10),
      route: entry.route.slice(0, 300),
      target: entry.target && Object.keys(entry.target).length > 0 ? JSON.stringify(entry.target) : null,
      ip: clip(entry.ip, 64),
      status: entry.status,
      outcome: entry.outcome,
      job_id: clip(entry.jobId, 64),
      correlation_id: clip(entry.correlationId, 128),
      detail: clip(entry.detail, 1000),
    };
    await this.storeOf().db.insertInto('audit_records').values(row).execute();
  }

  async query(q: AuditQuery): Promise<{ items: AuditRecord[]; total: number }> {
    const { db } = this.storeOf();
    let base = db.selectFrom('audit_records');
    if (q.subject) base = base.where('subject', '=', q.subject);
    if (q.outcome) base = base.where('outcome', '=', q.outcome);
    if (q.since) base = base.where('at', '>=', new Date(q.since).toISOString());
    if (q.route) base = base.where('route', '=', q.route);
    const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await base.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
    return {
      total,
      items: rows.map((r) => ({
        id: r.id, at: r.at, subject: r.subject, name: r.name, tokenName: r.token_name, via: r.via, method: r.method, route: r.route,
        target: r.target ? JSON.parse(r.target) as Record<string, string> : null, ip: r.ip, status: r.status, outcome: r.outcome,
        jobId: r.job_id, correlationId: r.correlation_id, detail: r.detail,
      })),
    };
  }
}
