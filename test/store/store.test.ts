import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore } from '../../server/src/store/store.ts';
import { parseDatabaseUrl, redactDatabaseUrl } from '../../server/src/store/url.ts';
import { migrationProvider } from '../../server/src/store/migrations/index.ts';
import { createTestDatabase, postgresSkip } from '../support/postgres.ts';

async function exerciseStore(url: string): Promise<void> {
  const store = await openStore(url);
  let instanceId: string;
  try {
    await store.ping();
    instanceId = store.instanceId;
    assert.match(instanceId, /^[0-9a-f-]{36}$/);
    await store.db.insertInto('store_info').values({ key: 'probe', value: 'ünïcode ✓' }).execute();
    const row = await store.db.selectFrom('store_info').select('value').where('key', '=', 'probe').executeTakeFirstOrThrow();
    assert.equal(row.value, 'ünïcode ✓');
    const migrations = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
    const expected = Object.keys(await migrationProvider.getMigrations()).sort();
    assert.ok(expected.length >= 2);
    assert.deepEqual(migrations.rows.map((r) => r.name), expected, 'every migration applied, once, in order');
  } finally {
    await store.close();
  }
  // Re-opening runs no migration twice and keeps the data and the instance id.
  const again = await openStore(url);
  try {
    assert.equal(again.instanceId, instanceId);
    const rows = await again.db.selectFrom('store_info').selectAll().where('key', '=', 'probe').execute();
    assert.equal(rows.length, 1);
  } finally {
    await again.close();
  }
}

describe('store', () => {
  it('opens SQLite, creates its folder, migrates once, keeps data across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aetherv-store-'));
    try {
      const file = join(dir, 'nested', 'aetherv.db');
      await exerciseStore(`sqlite:${file}`);
      assert.ok(existsSync(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens PostgreSQL with the same migrations', { skip: postgresSkip }, async () => {
    const database = await createTestDatabase();
    try {
      await exerciseStore(database.url);
    } finally {
      await database.drop();
    }
  });

  it('reports an unreachable PostgreSQL as STORE_UNAVAILABLE without the password', async () => {
    await assert.rejects(openStore('postgres://user:s3cret@127.0.0.1:1/none'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'STORE_UNAVAILABLE');
      assert.ok(!error.message.includes('s3cret'), error.message);
      return true;
    });
  });

  it('parses and redacts database URLs', () => {
    assert.deepEqual(parseDatabaseUrl('postgres://a@b/c'), { dialect: 'postgres', connectionString: 'postgres://a@b/c' });
    assert.equal(parseDatabaseUrl('sqlite::memory:').dialect, 'sqlite');
    assert.throws(() => parseDatabaseUrl('mysql://x'), /sqlite: or postgres/);
    assert.throws(() => parseDatabaseUrl('sqlite:'), /names no file/);
    assert.equal(redactDatabaseUrl('postgres://u:p@h:5432/d'), 'postgres://u:***@h:5432/d');
  });
});
