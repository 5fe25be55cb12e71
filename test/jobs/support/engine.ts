/** A job engine on a throwaway SQLite or PostgreSQL store, with recording test kinds. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { EventBus } from '../../../server/src/events/bus.ts';
import { openStore, type Store } from '../../../server/src/store/store.ts';
import { JobEngine, type JobEngineOptions } from '../../../server/src/jobs/engine.ts';
import type { JobServices } from '../../../server/src/jobs/kind.ts';
import { createTestDatabase } from '../../support/postgres.ts';

export const SETTINGS = { stepDeadlineSeconds: 30, guestKeyTimeoutSeconds: 60, guestApplyTimeoutSeconds: 60, kvpPollSeconds: 1 };

/** Domain services are not used by the test kinds; a step that touches them fails loudly. */
export const NO_SERVICES = { settings: SETTINGS, version: 'test' } as unknown as JobServices;

export interface TestStore {
  store: Store;
  reopen(): Promise<Store>;
  close(): Promise<void>;
}

export async function testStore(backend: 'sqlite' | 'postgres'): Promise<TestStore> {
  let url: string;
  let cleanup: () => Promise<void>;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'aetherv-jobs-'));
    url = `sqlite:${join(dir, 'jobs.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const db = await createTestDatabase();
    url = db.url;
    cleanup = db.drop;
  }
  const opened: Store[] = [await openStore(url)];
  return {
    store: opened[0]!,
    reopen: async () => {
      const s = await openStore(url);
      opened.push(s);
      return s;
    },
    close: async () => {
      for (const s of opened) await s.close().catch(() => undefined);
      await cleanup();
    },
  };
}

export function testEngine(store: Store, options: Partial<JobEngineOptions> = {}): { engine: JobEngine; bus: EventBus } {
  const bus = options.bus ?? new EventBus();
  const engine = new JobEngine({ storeOf: () => store, bus, services: NO_SERVICES, logger: pino({ level: 'silent' }), secretsKey: 'k'.repeat(40), pollSeconds: 0.2, ...options });
  return { engine, bus };
}
