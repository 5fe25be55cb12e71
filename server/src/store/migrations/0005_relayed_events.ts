import type { Kysely } from 'kysely';

/** Event payloads too large for NOTIFY, parked for the other replicas (events/relay.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('relayed_events')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('relayed_events').execute();
}
