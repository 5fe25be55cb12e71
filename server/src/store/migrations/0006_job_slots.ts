import type { Kysely } from 'kysely';

/**
 * Per-host job slots shared by every replica (jobs/slots.ts): one row per taken slot of a
 * (resource, host) pair, held by one job of one replica until it releases it or its lease
 * (renewed with the job's) expires because that replica died.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_slots')
    .addColumn('resource', 'varchar(64)', (c) => c.notNull())
    .addColumn('host', 'varchar(255)', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('job_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('owner', 'varchar(100)', (c) => c.notNull())
    .addColumn('lease_expires_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_slots_pk', ['resource', 'host', 'slot'])
    .execute();
  await db.schema.createIndex('job_slots_holder').on('job_slots').columns(['owner', 'job_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_slots').execute();
}
