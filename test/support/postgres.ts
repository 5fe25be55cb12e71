/**
 * A throwaway PostgreSQL database per test, created on the server DATABASE_URL_TEST points at
 * (CI starts the machine's PostgreSQL). Tests that need PostgreSQL skip with a visible reason
 * when DATABASE_URL_TEST is unset.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresUrl = process.env.DATABASE_URL_TEST;
export const postgresSkip = postgresUrl ? false : 'DATABASE_URL_TEST is not set (CI sets it)';

export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!postgresUrl) throw new Error('DATABASE_URL_TEST is not set');
  const name = `aetherv_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
