import type { Kysely } from 'kysely';

/** Named API tokens (only their SHA-256 hashes) and the audit log (issue 8). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(300)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_used_at', 'varchar(32)')
    .execute();
  await db.schema
    .createTable('audit_records')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addColumn('subject', 'varchar(300)')
    .addColumn('name', 'varchar(300)')
    .addColumn('token_name', 'varchar(100)')
    .addColumn('via', 'varchar(16)')
    .addColumn('method', 'varchar(10)', (c) => c.notNull())
    .addColumn('route', 'varchar(300)', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('ip', 'varchar(64)')
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('job_id', 'varchar(64)')
    .addColumn('correlation_id', 'varchar(128)')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_records_at').on('audit_records').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_records_subject').on('audit_records').column('subject').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_records').execute();
  await db.schema.dropTable('api_tokens').execute();
}
