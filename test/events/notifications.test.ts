import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../server/src/store/store.ts';
import { EventBus, type BusEvent } from '../../server/src/events/bus.ts';
import { NotificationService } from '../../server/src/events/notifications.ts';
import { createTestDatabase, postgresSkip } from '../support/postgres.ts';

async function exercise(store: Store): Promise<void> {
  const bus = new EventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const service = new NotificationService(() => store, bus, 3);
  const first = await service.notify({ key: 'host:hv1:down', level: 'error', category: 'host', title: 'hv1 not answering', message: 'connect refused', resource: { type: 'host', id: 'hv1' } });
  await service.markRead('alice', first.id);
  const again = await service.notify({ key: 'host:hv1:down', level: 'error', category: 'host', title: 'hv1 not answering', message: 'timed out' });
  assert.equal(again.id, first.id, 'same key updates the same notification');
  assert.equal(again.occurrences, 2);
  assert.equal(again.message, 'timed out');
  let alice = await service.list('alice');
  assert.equal(alice.total, 1);
  assert.equal(alice.items[0]!.read, false, 'a recurrence is unread again');
  assert.deepEqual(alice.items[0]!.resource, { type: 'host', id: 'hv1' });
  await service.notify({ level: 'info', category: 'deployment', title: 'agent 0.1.0 installed on hv2', message: 'ok' });
  await service.markRead('alice', first.id);
  alice = await service.list('alice');
  assert.equal(alice.unread, 1);
  assert.equal((await service.list('bob')).unread, 2, 'read state is per user');
  assert.equal(await service.markAllRead('bob'), 2);
  assert.equal((await service.list('bob', { unreadOnly: true })).total, 0);
  assert.deepEqual(events.map((e) => e.type), ['notification.created', 'notification.updated', 'notification.created']);
  // Retention keeps the newest three.
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 2));
    await service.notify({ level: 'info', category: 'test', title: `n${i}`, message: '' });
  }
  const kept = await service.list('carol');
  assert.equal(kept.total, 3);
  assert.deepEqual(kept.items.map((n) => n.title), ['n3', 'n2', 'n1']);
  await assert.rejects(service.markRead('alice', 'no-such-id'), /no notification/);
}

describe('notifications', () => {
  it('deduplicate by key, keep read state per user, and enforce retention (SQLite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aetherv-notif-'));
    const store = await openStore(`sqlite:${join(dir, 'n.db')}`);
    try {
      await exercise(store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('behave the same on PostgreSQL', { skip: postgresSkip }, async () => {
    const database = await createTestDatabase();
    const store = await openStore(database.url);
    try {
      await exercise(store);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
