import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { EventBus, type BusEvent } from '../../server/src/events/bus.ts';
import { PgEventRelay } from '../../server/src/events/relay.ts';
import { PgAdvisoryLeader, SingleReplica } from '../../server/src/store/leader.ts';
import { createTestDatabase, postgresSkip } from '../support/postgres.ts';
import { openStore } from '../../server/src/store/store.ts';
import { waitUntil as until } from '../support/wait.ts';

const logger = pino({ level: 'silent' });


describe('several replicas on PostgreSQL', { skip: postgresSkip }, () => {
  it('relay job and notification events between replicas, exactly once, large ones too, but not inventory', async () => {
    const db = await createTestDatabase();
    await (await openStore(db.url)).close(); // migrations create relayed_events
    const [busA, busB] = [new EventBus(), new EventBus()];
    const a = new PgEventRelay({ connectionString: db.url, bus: busA, logger });
    const b = new PgEventRelay({ connectionString: db.url, bus: busB, logger });
    try {
      await a.start();
      await b.start();
      const seenA: BusEvent[] = [];
      const seenB: BusEvent[] = [];
      busA.subscribe((e) => seenA.push(e));
      busB.subscribe((e) => seenB.push(e));
      busA.publish('jobs:42', 'job.log', { message: 'copying image' });
      busA.publish('inventory', 'vm.updated', { vmId: 'x' });
      const big = 'ü'.repeat(6000); // 12,000 bytes: over what NOTIFY carries
      busA.publish('jobs:42', 'job.log', { message: big });
      busB.publish('notifications', 'notification.created', { title: 'from B' });
      await until(() => seenB.filter((e) => e.relayed).length >= 2 && seenA.some((e) => e.relayed));
      await new Promise((r) => setTimeout(r, 300)); // anything extra would arrive by now
      const relayedToB = seenB.filter((e) => e.relayed);
      assert.deepEqual(relayedToB.map((e) => e.type), ['job.log', 'job.log']);
      assert.equal((relayedToB[1]!.data as { message: string }).message, big);
      assert.ok(!relayedToB.some((e) => e.topic === 'inventory'), 'each replica observes the inventory itself');
      const relayedToA = seenA.filter((e) => e.relayed);
      assert.deepEqual(relayedToA.map((e) => e.topic), ['notifications'], 'no echo of A\'s own events');
    } finally {
      await a.stop();
      await b.stop();
      await db.drop();
    }
  });

  it('elect exactly one leader, and another takes over when it goes', async () => {
    const db = await createTestDatabase();
    const first = new PgAdvisoryLeader(db.url, logger, 100);
    const second = new PgAdvisoryLeader(db.url, logger, 100);
    try {
      await first.start();
      await second.start();
      assert.equal(first.isLeader, true);
      assert.equal(second.isLeader, false);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(second.isLeader, false, 'the lock is held');
      const changes: boolean[] = [];
      second.onChange((l) => changes.push(l));
      await first.stop();
      await until(() => second.isLeader);
      assert.deepEqual(changes, [true]);
    } finally {
      await first.stop();
      await second.stop();
      await db.drop();
    }
  });
});

describe('a single replica (SQLite)', () => {
  it('always leads', async () => {
    const single = new SingleReplica();
    const changes: boolean[] = [];
    single.onChange((l) => changes.push(l));
    await single.start();
    assert.equal(single.isLeader, true);
    assert.deepEqual(changes, [true]);
  });
});
