/**
 * The durable store (DESIGN §7): Kysely over better-sqlite3 (default, one replica) or pg
 * (several replicas). Opening runs pending migrations; a failed migration leaves the store
 * closed and says which one failed.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { AppError } from '../errors.ts';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations/index.ts';
import { parseDatabaseUrl, redactDatabaseUrl } from './url.ts';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  /** DATABASE_URL without its password. */
  readonly location: string;
  /** Stable id of this store, created with it. */
  readonly instanceId: string;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(url: string): Promise<Store> {
  const location = parseDatabaseUrl(url);
  let db: Kysely<Database>;
  if (location.dialect === 'sqlite') {
    if (location.file !== ':memory:') mkdirSync(dirname(location.file), { recursive: true });
    const sqlite = new SqliteDatabase(location.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  } else {
    const pool = new pg.Pool({ connectionString: location.connectionString, max: 10 });
    // An idle client's error (e.g. the server restarting) must not crash the process.
    pool.on('error', () => undefined);
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  try {
    await migrate(db);
    const instanceId = await ensureInstanceId(db);
    return {
      db,
      dialect: location.dialect,
      location: redactDatabaseUrl(url),
      instanceId,
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: () => db.destroy(),
    };
  } catch (error) {
    await db.destroy().catch(() => undefined);
    if (error instanceof AppError) throw error;
    throw new AppError('STORE_UNAVAILABLE', `cannot open the store at ${redactDatabaseUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('STORE_UNAVAILABLE', `store migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
}

async function ensureInstanceId(db: Kysely<Database>): Promise<string> {
  const existing = await db.selectFrom('store_info').select('value').where('key', '=', 'instance_id').executeTakeFirst();
  if (existing) return existing.value;
  const id = randomUUID();
  // Two replicas may race on a fresh PostgreSQL store: the loser reads the winner's id.
  await db.insertInto('store_info').values([{ key: 'instance_id', value: id }, { key: 'created_at', value: new Date().toISOString() }])
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('store_info').select('value').where('key', '=', 'instance_id').executeTakeFirstOrThrow();
  return row.value;
}
