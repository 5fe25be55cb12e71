/**
 * Cancel waits for the running step: a step that ignores its abort for a while is awaited
 * (up to the abort grace) before its rollbacks run, so an undo never races the work it undoes;
 * a step that outlasts the grace is left behind with a warning and the job still ends.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { JobKind } from '../../server/src/jobs/kind.ts';
import { postgresSkip } from '../support/postgres.ts';
import { testEngine, testStore, type TestStore } from './support/engine.ts';
import { pause, waitUntil } from '../support/wait.ts';


/** A step that registers its undo, then keeps working `busyMs` whatever its signal says. */
function stubbornKind(name: string, busyMs: number, seen: { started: boolean; finished: boolean; undoSawFinished?: boolean; done?: Promise<void> }): JobKind {
  return {
    kind: name,
    steps: [{ name: 'slow', run: async (ctx) => {
      await ctx.registerRollback('undo', null);
      seen.started = true;
      seen.done = pause(busyMs).then(() => { seen.finished = true; });
      await seen.done;
      return null;
    } }],
    rollbacks: {
      undo: async () => {
        seen.undoSawFinished = seen.finished;
        if (!seen.finished) throw new Error('the rollback ran before the step it undoes had finished');
      },
    },
  };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`cancel waits for the running step on ${backend}`, { skip: backend === 'postgres' ? postgresSkip : false }, () => {
    let db: TestStore;
    before(async () => { db = await testStore(backend); });
    after(async () => { await db.close(); });

    it('runs the rollback only after the aborted step has finished', async () => {
      const seen = { started: false, finished: false } as { started: boolean; finished: boolean; undoSawFinished?: boolean; done?: Promise<void> };
      const { engine } = testEngine(db.store);
      engine.register(stubbornKind('stubborn', 300, seen));
      await engine.start();
      const job = await engine.submit({ kind: 'stubborn', params: {}, requestedBy: 'tester', correlationId: 'settle-1' });
      await waitUntil(() => seen.started);
      await engine.cancel(job.id, 'tester');
      const done = await engine.waitFor(job.id, 10_000);
      await engine.stop();
      assert.equal(done.state, 'cancelled');
      assert.equal(seen.undoSawFinished, true, 'the rollback did not run, or ran before the step finished');
      assert.deepEqual(done.error, { code: 'JOB_CANCELLED', message: 'cancelled by tester' });
      assert.equal(done.steps[0]!.state, 'rolled-back');
    });

    it('goes on after the abort grace when the step does not stop, and says so', async () => {
      const seen = { started: false, finished: false } as { started: boolean; finished: boolean; undoSawFinished?: boolean; done?: Promise<void> };
      const { engine } = testEngine(db.store, { abortGraceSeconds: 0.2 });
      engine.register(stubbornKind('stubborn-long', 2000, seen));
      await engine.start();
      const job = await engine.submit({ kind: 'stubborn-long', params: {}, requestedBy: 'tester', correlationId: 'settle-2' });
      await waitUntil(() => seen.started);
      const cancelledAt = Date.now();
      await engine.cancel(job.id, 'tester');
      const done = await engine.waitFor(job.id, 10_000);
      const took = Date.now() - cancelledAt;
      const messages = (await engine.events(job.id)).items.map((e) => e.message);
      await engine.stop();
      await seen.done;
      assert.equal(done.state, 'cancelled');
      assert.ok(took < 1500, `the job waited ${took} ms for a step past its grace`);
      assert.ok(messages.includes('step slow did not stop within 0.2 s of being aborted; going on without waiting for it'), messages.join('\n'));
      // The rollback ran without the step having finished, and reported it as a failure.
      assert.equal(seen.undoSawFinished, false);
      assert.match(JSON.stringify(done.error?.details?.rollbackFailures), /before the step it undoes had finished/);
    });
  });
}
