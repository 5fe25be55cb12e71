import type { Kysely } from 'kysely';

/** Notifications (deduplicated by key) and per-user read state. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'varchar(300)', (c) => c.unique())
    .addColumn('level', 'varchar(16)', (c) => c.notNull())
    .addColumn('category', 'varchar(64)', (c) => c.notNull())
    .addColumn('title', 'varchar(300)', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'varchar(32)')
    .addColumn('resource_id', 'varchar(300)')
    .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_updated_at').on('notifications').column('updated_at').execute();
  await db.schema
    .createTable('notification_reads')
    .addColumn('notification_id', 'varchar(36)', (c) => c.notNull().references('notifications.id').onDelete('cascade'))
    .addColumn('subject', 'varchar(300)', (c) => c.notNull())
    .addColumn('read_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_reads_pk', ['notification_id', 'subject'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_reads').execute();
  await db.schema.dropTable('notifications').execute();
}
