/**
 * Step-level lease fencing (PostgreSQL, several replicas): a replica whose job was taken over
 * writes nothing more for it — no step state or output, no log line, no target — and its run
 * stops by itself at the first write, long before its own heartbeat would notice.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { postgresSkip } from '../support/postgres.ts';
import type { JobKind } from '../../server/src/jobs/kind.ts';
import { testEngine, testStore, type TestStore } from './support/engine.ts';
import { pause, waitUntil } from '../support/wait.ts';


describe('step-level lease fencing on PostgreSQL', { skip: postgresSkip }, () => {
  let db: TestStore;
  before(async () => { db = await testStore('postgres'); });
  after(async () => { await db.close(); });

  it('a replica that lost its lease mid-step writes nothing more for the job and stops its run', async () => {
    const calls: string[] = [];
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    const kind = (replica: string): JobKind => ({
      kind: 'fenced',
      steps: [
        { name: 'first', run: async (ctx) => {
          calls.push(`${replica}:first`);
          if (replica === 'a') {
            // Replica a is "hung" here (ignoring its signal) while b takes the job over.
            await gate;
            ctx.log('info', 'a wrote after the takeover');
            await ctx.setTarget({ host: 'written-by-a' });
          }
          return { by: replica };
        } },
        { name: 'second', run: async () => { calls.push(`${replica}:second`); return { by: replica }; } },
      ],
      result: () => ({ by: replica }),
    });
    // Long leases: a's heartbeat (every 10 s) never runs during the test, so only the fenced writes can stop a.
    const a = testEngine(db.store, { leaseSeconds: 30 }).engine;
    a.register(kind('a'));
    await a.start();
    const job = await a.submit({ kind: 'fenced', params: {}, requestedBy: 'fence', correlationId: 'fence-1' });
    await waitUntil(() => calls.includes('a:first'));
    // a's lease runs out as if it had stopped renewing it; b starts, finds the job orphaned and takes it over.
    await db.store.db.updateTable('jobs').set({ lease_owner: 'hung-replica', lease_expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', job.id).execute();
    const b = testEngine(await db.reopen(), { leaseSeconds: 30 }).engine;
    b.register(kind('b'));
    await b.start();
    const done = await b.waitFor(job.id, 10_000);
    assert.equal(done.state, 'succeeded');
    // Now a wakes up and carries on with the job it no longer owns.
    openGate();
    await waitUntil(() => a.stats().inFlight === 0, 5000);
    await pause(100);
    const after = await b.get(job.id);
    const messages = (await b.events(job.id)).items.map((e) => e.message);
    await Promise.all([a.stop(), b.stop()]);
    assert.deepEqual(after.steps.map((s) => [s.state, s.output]), [['succeeded', { by: 'b' }], ['succeeded', { by: 'b' }]]);
    assert.deepEqual(after.result, { by: 'b' });
    assert.equal(after.host, null, 'a wrote the job target after losing its lease');
    assert.ok(!messages.includes('a wrote after the takeover'), 'a wrote a log line after losing its lease');
    assert.ok(!calls.includes('a:second'), 'a went on to the next step');
    assert.deepEqual(calls, ['a:first', 'b:first', 'b:second']);
  });
});
