/**
 * Per-host slots bind every replica on one PostgreSQL (jobs/slots.ts): two engines never hold
 * `image.copy` on one host at the same time; a slot left by a dead replica frees itself when
 * its lease expires; a job waiting for a slot holds no slot row and can be cancelled.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { postgresSkip } from '../support/postgres.ts';
import type { JobKind } from '../../server/src/jobs/kind.ts';
import { testEngine, testStore, type TestStore } from './support/engine.ts';
import { pause, waitUntil } from '../support/wait.ts';


describe('per-host slots across replicas on PostgreSQL', { skip: postgresSkip }, () => {
  let db: TestStore;
  before(async () => { db = await testStore('postgres'); });
  after(async () => { await db.close(); });

  it('never lets two replicas hold image.copy on one host at once', async () => {
    const counter = { now: 0, max: 0, byReplica: new Map<string, number>() };
    const kind = (replica: string): JobKind => ({
      kind: 'copy',
      steps: [{ name: 'copy', run: async (ctx) => ctx.withHostSlot('h1', 'image.copy', async () => {
        counter.now += 1;
        counter.max = Math.max(counter.max, counter.now);
        counter.byReplica.set(replica, (counter.byReplica.get(replica) ?? 0) + 1);
        await pause(50);
        counter.now -= 1;
        return null;
      }) }],
    });
    // One worker each claims at most 8 jobs: with 16 waiting, both replicas get half and contend.
    const a = testEngine(db.store, { concurrency: 1 }).engine;
    const b = testEngine(await db.reopen(), { concurrency: 1 }).engine;
    a.register(kind('a'));
    b.register(kind('b'));
    const jobs = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).submit({ kind: 'copy', params: { i }, requestedBy: 'slots', correlationId: `slots-${i}` })));
    await Promise.all([a.start(), b.start()]);
    const done = await Promise.all(jobs.map((j) => a.waitFor(j.id, 40_000)));
    await Promise.all([a.stop(), b.stop()]);
    assert.ok(done.every((j) => j.state === 'succeeded'), JSON.stringify(done.map((j) => j.state)));
    assert.equal(counter.max, 1, 'two jobs held image.copy on h1 at the same time');
    assert.ok((counter.byReplica.get('a') ?? 0) > 0 && (counter.byReplica.get('b') ?? 0) > 0, JSON.stringify([...counter.byReplica]));
    const left = await db.store.db.selectFrom('job_slots').selectAll().execute();
    assert.deepEqual(left, [], 'a slot was not released');
  });

  it('waits for a slot another replica holds, takes it once that lease expires, and cancels a waiter cleanly', async () => {
    const entered: string[] = [];
    const kind: JobKind = { kind: 'copy2', steps: [{ name: 'copy', run: async (ctx) => ctx.withHostSlot('H2', 'image.copy', async () => { entered.push(ctx.job.id); return null; }) }] };
    // A replica holds h2's slot with a live lease (it is alive, copying).
    await db.store.db.insertInto('job_slots').values({ resource: 'image.copy', host: 'h2', slot: 0, job_id: 'other-job', owner: 'other-replica', lease_expires_at: new Date(Date.now() + 60_000).toISOString() }).execute();
    const { engine } = testEngine(db.store, { concurrency: 1 });
    engine.register(kind);
    await engine.start();
    const first = await engine.submit({ kind: 'copy2', params: { n: 1 }, requestedBy: 'slots', correlationId: 'slots-wait' });
    const second = await engine.submit({ kind: 'copy2', params: { n: 2 }, requestedBy: 'slots', correlationId: 'slots-cancel' });
    await waitUntil(async () => (await engine.get(second.id)).state === 'running');
    await pause(300);
    assert.deepEqual(entered, [], 'a job entered a slot another replica holds');
    // Both wait without a worker: the single worker is free for other work.
    assert.equal(engine.stats().workers.inUse, 0);
    const cancelled = await engine.cancel(second.id, 'tester').then(() => engine.waitFor(second.id, 5000));
    assert.equal(cancelled.state, 'cancelled');
    // The holder "dies": its lease runs out, and the waiting job takes the slot over.
    await db.store.db.updateTable('job_slots').set({ lease_expires_at: '2000-01-01T00:00:00.000Z' }).where('owner', '=', 'other-replica').execute();
    const done = await engine.waitFor(first.id, 10_000);
    await engine.stop();
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(entered, [first.id]);
    assert.deepEqual(await db.store.db.selectFrom('job_slots').selectAll().where('host', '=', 'h2').execute(), []);
  });

  it('keeps a held slot while the holder is alive: its heartbeat renews the slot lease with the job lease', async () => {
    const log: string[] = [];
    const kind = (replica: string): JobKind => ({
      kind: 'copy3',
      steps: [{ name: 'copy', run: async (ctx) => ctx.withHostSlot('h3', 'image.copy', async () => {
        log.push(`${replica}:in`);
        await pause(replica === 'a' ? 1500 : 10);
        log.push(`${replica}:out`);
        return null;
      }) }],
    });
    // Leases of 0.6 s: the slot row would expire four times over during a's 1.5 s hold if not renewed.
    const a = testEngine(db.store, { leaseSeconds: 0.6 }).engine;
    const b = testEngine(await db.reopen(), { leaseSeconds: 0.6 }).engine;
    a.register(kind('a'));
    await a.start();
    const first = await a.submit({ kind: 'copy3', params: {}, requestedBy: 'slots', correlationId: 'slots-renew-a' });
    await waitUntil(() => log.includes('a:in'));
    b.register(kind('b'));
    await b.start();
    const second = await b.submit({ kind: 'copy3', params: { b: true }, requestedBy: 'slots', correlationId: 'slots-renew-b' });
    const done = await Promise.all([a.waitFor(first.id, 10_000), b.waitFor(second.id, 10_000)]);
    await Promise.all([a.stop(), b.stop()]);
    assert.deepEqual(done.map((j) => j.state), ['succeeded', 'succeeded']);
    assert.deepEqual(log, ['a:in', 'a:out', 'b:in', 'b:out']);
  });
});
