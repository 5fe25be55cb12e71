/**
 * Several replicas on one PostgreSQL store (DESIGN §7): jobs are claimed with FOR UPDATE SKIP
 * LOCKED so each runs on one replica only, and a replica whose lease expired loses its job to
 * another replica, which resumes it; the loser writes nothing more.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { postgresSkip } from '../support/postgres.ts';
import type { JobKind } from '../../server/src/jobs/kind.ts';
import { testEngine, testStore, type TestStore } from './support/engine.ts';

describe('job engine replicas on PostgreSQL', { skip: postgresSkip }, () => {
  let db: TestStore;
  before(async () => { db = await testStore('postgres'); });
  after(async () => { await db.close(); });

  it('runs each of 40 jobs exactly once across two replicas, both taking work', async () => {
    const runs: Array<[string, string]> = [];
    const kind = (replica: string): JobKind => ({ kind: 'shared', steps: [{ name: 'work', run: async (ctx) => { runs.push([ctx.job.id, replica]); await ctx.sleep(0.02); return null; } }] });
    const a = testEngine(db.store, { concurrency: 1 }).engine;
    const b = testEngine(await db.reopen(), { concurrency: 1 }).engine;
    a.register(kind('a'));
    b.register(kind('b'));
    await Promise.all([a.start(), b.start()]);
    const jobs = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).submit({ kind: 'shared', params: { i }, requestedBy: 'ha', correlationId: `ha-${i}` })));
    const done = await Promise.all(jobs.map((j) => a.waitFor(j.id, 30_000)));
    await Promise.all([a.stop(), b.stop()]);
    assert.ok(done.every((j) => j.state === 'succeeded'));
    assert.equal(runs.length, 40, 'a job ran twice');
    assert.equal(new Set(runs.map(([id]) => id)).size, 40);
    assert.ok(runs.some(([, r]) => r === 'a') && runs.some(([, r]) => r === 'b'), JSON.stringify(runs));
  });

  it('takes over a job whose lease expired; the replica that lost it stops and writes nothing', async () => {
    const events: string[] = [];
    const kind = (replica: string): JobKind => ({
      kind: 'takeover',
      steps: [
        { name: 'first', run: async () => { events.push(`${replica}:first`); return null; } },
        { name: 'long', run: async (ctx) => {
          events.push(`${replica}:long`);
          if (replica === 'a') await ctx.sleep(60).catch((e: unknown) => { events.push('a:aborted'); throw e; });
          return { by: replica };
        } },
      ],
    });
    const a = testEngine(db.store, { leaseSeconds: 0.6 }).engine;
    a.register(kind('a'));
    await a.start();
    const job = await a.submit({ kind: 'takeover', params: {}, requestedBy: 'ha', correlationId: 'takeover' });
    const end = Date.now() + 10_000;
    while (!events.includes('a:long') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    // Replica a "hangs": its lease is taken away as if it had stopped renewing it.
    await db.store.db.updateTable('jobs').set({ lease_owner: 'hung-replica', lease_expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', job.id).execute();
    const b = testEngine(await db.reopen(), { leaseSeconds: 0.6 }).engine;
    b.register(kind('b'));
    await b.start();
    const done = await b.waitFor(job.id, 15_000);
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(done.steps.map((s) => s.output), [null, { by: 'b' }]);
    assert.ok(events.includes('a:aborted'), events.join(','));
    assert.ok(!events.includes('b:first'), 'the completed step ran again');
    const messages = (await b.events(job.id)).items.map((e) => e.message);
    assert.ok(messages.some((m) => m.startsWith('interrupted:')));
  });
});
