/**
 * The ordered migration set, shared by SQLite and PostgreSQL. Names sort in order; never
 * rename or edit a migration that has shipped — add a new one.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_store_info.ts';
import * as m0002 from './0002_notifications.ts';
import * as m0003 from './0003_jobs.ts';
import * as m0004 from './0004_auth.ts';
import * as m0005 from './0005_relayed_events.ts';
import * as m0006 from './0006_job_slots.ts';

const migrations: Record<string, Migration> = {
  '0001_store_info': m0001,
  '0002_notifications': m0002,
  '0003_jobs': m0003,
  '0004_auth': m0004,
  '0005_relayed_events': m0005,
  '0006_job_slots': m0006,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
