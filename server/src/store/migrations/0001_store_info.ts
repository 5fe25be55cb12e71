import type { Kysely } from 'kysely';

/** Identity of this store: when it was created and a stable instance id for diagnostics. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('store_info')
    .addColumn('key', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('store_info').execute();
}
