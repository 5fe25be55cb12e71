/**
 * Notifications for operators (issue 6): persisted, deduplicated by a key so a recurring
 * condition updates one notification instead of piling up, read state per user, a retention
 * limit, and every change published on the `notifications` topic.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { EventBus } from './bus.ts';
import { AppError } from '../errors.ts';

export type NotificationLevel = 'info' | 'warning' | 'error';

export interface NotificationInput {
  /** Same key = same condition: updates the existing notification (and marks it unread). */
  key?: string;
  level: NotificationLevel;
  category: string;
  title: string;
  message: string;
  resource?: { type: string; id: string };
}

export interface Notification {
  id: string;
  key: string | null;
  level: NotificationLevel;
  category: string;
  title: string;
  message: string;
  resource: { type: string; id: string } | null;
  occurrences: number;
  createdAt: string;
  updatedAt: string;
  read: boolean;
}

export class NotificationService {
  /** `storeOf` throws STORE_UNAVAILABLE while the store is not open (the API says so). */
  constructor(private readonly storeOf: () => Store, private readonly bus: EventBus, private readonly retention = 1000) {}

  private get store(): Store {
    return this.storeOf();
  }

  async notify(input: NotificationInput): Promise<Notification> {
    const db = this.store.db;
    const now = new Date().toISOString();
    const existing = input.key ? await db.selectFrom('notifications').selectAll().where('dedupe_key', '=', input.key).executeTakeFirst() : undefined;
    let id: string;
    if (existing) {
      id = existing.id;
      await db.transaction().execute(async (tx) => {
        await tx.updateTable('notifications').set({ level: input.level, title: input.title, message: input.message, category: input.category, updated_at: now, occurrences: existing.occurrences + 1 }).where('id', '=', id).execute();
        // The condition happened again: it is news to everyone once more.
        await tx.deleteFrom('notification_reads').where('notification_id', '=', id).execute();
      });
    } else {
      id = randomUUID();
      await db.insertInto('notifications').values({
        id, dedupe_key: input.key ?? null, level: input.level, category: input.category, title: input.title, message: input.message,
        resource_type: input.resource?.type ?? null, resource_id: input.resource?.id ?? null, occurrences: 1, created_at: now, updated_at: now,
      }).onConflict((oc) => oc.column('dedupe_key').doUpdateSet({ updated_at: now, message: input.message })).execute();
      await this.enforceRetention();
    }
    const saved = await this.get(id, null);
    this.bus.publish('notifications', existing ? 'notification.updated' : 'notification.created', saved);
    return saved;
  }

  async get(id: string, subject: string | null): Promise<Notification> {
    const row = await this.store.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `no notification ${id}`);
    const read = subject ? await this.store.db.selectFrom('notification_reads').select('subject').where('notification_id', '=', id).where('subject', '=', subject).executeTakeFirst() : undefined;
    return toNotification(row, read !== undefined);
  }

  async list(subject: string, options: { unreadOnly?: boolean; limit?: number; offset?: number } = {}): Promise<{ items: Notification[]; total: number; unread: number }> {
    const db = this.store.db;
    const reads = new Set((await db.selectFrom('notification_reads').select('notification_id').where('subject', '=', subject).execute()).map((r) => r.notification_id));
    const rows = await db.selectFrom('notifications').selectAll().orderBy('updated_at', 'desc').orderBy('id').execute();
    const all = rows.map((r) => toNotification(r, reads.has(r.id)));
    const filtered = options.unreadOnly ? all.filter((n) => !n.read) : all;
    const offset = options.offset ?? 0;
    return { items: filtered.slice(offset, offset + (options.limit ?? 100)), total: filtered.length, unread: all.filter((n) => !n.read).length };
  }

  async markRead(subject: string, id: string): Promise<Notification> {
    await this.get(id, null);
    await this.store.db.insertInto('notification_reads').values({ notification_id: id, subject, read_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(['notification_id', 'subject']).doNothing()).execute();
    return this.get(id, subject);
  }

  async markAllRead(subject: string): Promise<number> {
    const db = this.store.db;
    const unread = await db.selectFrom('notifications').select('id')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('notification_reads').select('subject').whereRef('notification_reads.notification_id', '=', 'notifications.id').where('subject', '=', subject))))
      .execute();
    if (unread.length === 0) return 0;
    const now = new Date().toISOString();
    await db.insertInto('notification_reads').values(unread.map((r) => ({ notification_id: r.id, subject, read_at: now })))
      .onConflict((oc) => oc.columns(['notification_id', 'subject']).doNothing()).execute();
    return unread.length;
  }

  private async enforceRetention(): Promise<void> {
    const db = this.store.db;
    const cutoff = await db.selectFrom('notifications').select('updated_at').orderBy('updated_at', 'desc').offset(this.retention).limit(1).executeTakeFirst();
    if (cutoff) await db.deleteFrom('notifications').where('updated_at', '<=', cutoff.updated_at).execute();
  }
}

function toNotification(row: { id: string; dedupe_key: string | null; level: NotificationLevel; category: string; title: string; message: string; resource_type: string | null; resource_id: string | null; occurrences: number; created_at: string; updated_at: string }, read: boolean): Notification {
  return {
    id: row.id, key: row.dedupe_key, level: row.level, category: row.category, title: row.title, message: row.message,
    resource: row.resource_type && row.resource_id ? { type: row.resource_type, id: row.resource_id } : null,
    occurrences: row.occurrences, createdAt: row.created_at, updatedAt: row.updated_at, read,
  };
}
