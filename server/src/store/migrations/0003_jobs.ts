import type { Kysely } from 'kysely';

/**
 * Durable jobs (DESIGN §6, issue 7): the job, its ordered steps, its log lines and the undo
 * actions it registered. JSON travels as text and flags as 0/1 so one migration serves SQLite
 * and PostgreSQL; times are ISO-8601 UTC strings, which sort as text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(64)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('host', 'varchar(255)')
    .addColumn('vm_id', 'varchar(64)')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text')
    .addColumn('idempotency_key', 'varchar(255)')
    .addColumn('request_hash', 'varchar(64)')
    .addColumn('requested_by', 'varchar(300)', (c) => c.notNull())
    .addColumn('correlation_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('started_at', 'varchar(32)')
    .addColumn('finished_at', 'varchar(32)')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cancelled_by', 'varchar(300)')
    .addColumn('lease_owner', 'varchar(100)')
    .addColumn('lease_expires_at', 'varchar(32)')
    .addColumn('current_step', 'varchar(100)')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The same caller's key names one job; another caller may use the same key.
  await db.schema.createIndex('jobs_idempotency').on('jobs').columns(['requested_by', 'idempotency_key']).unique().execute();
  await db.schema.createIndex('jobs_created').on('jobs').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('jobs_state_created').on('jobs').columns(['state', 'created_at']).execute();
  await db.schema.createIndex('jobs_kind_created').on('jobs').columns(['kind', 'created_at']).execute();
  await db.schema.createIndex('jobs_host_created').on('jobs').columns(['host', 'created_at']).execute();
  await db.schema.createIndex('jobs_vm_created').on('jobs').columns(['vm_id', 'created_at']).execute();

  await db.schema
    .createTable('job_steps')
    .addColumn('job_id', 'varchar(36)', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('index', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('started_at', 'varchar(32)')
    .addColumn('finished_at', 'varchar(32)')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('job_steps_pk', ['job_id', 'index'])
    .execute();

  await db.schema
    .createTable('job_events')
    .addColumn('job_id', 'varchar(36)', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('time', 'varchar(32)', (c) => c.notNull())
    .addColumn('level', 'varchar(8)', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('step', 'varchar(100)')
    .addPrimaryKeyConstraint('job_events_pk', ['job_id', 'seq'])
    .execute();

  await db.schema
    .createTable('job_rollbacks')
    .addColumn('job_id', 'varchar(36)', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('step_index', 'integer')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('job_rollbacks_pk', ['job_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_rollbacks').execute();
  await db.schema.dropTable('job_events').execute();
  await db.schema.dropTable('job_steps').execute();
  await db.schema.dropTable('jobs').execute();
}
