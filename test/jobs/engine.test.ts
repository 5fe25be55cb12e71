/** Job engine: order, when, resume, deadlines, cancel and failure with rollbacks, limits, idempotency, secrets — on SQLite and PostgreSQL. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../server/src/errors.ts';
import type { JobKind, StepContext } from '../../server/src/jobs/kind.ts';
import { postgresSkip } from '../support/postgres.ts';
import { testEngine, testStore, type TestStore } from './support/engine.ts';

type Calls = string[];

function recordingKind(name: string, calls: Calls, extra: Partial<JobKind> = {}): JobKind {
  return {
    kind: name,
    steps: [
      { name: 'one', run: async (ctx) => { calls.push(`one:${String(ctx.job.params.n)}`); return { got: 1 }; } },
      { name: 'maybe', when: (ctx) => ctx.job.params.maybe === true, run: async () => { calls.push('maybe'); return null; } },
      { name: 'two', run: async (ctx) => { calls.push(`two:${JSON.stringify(ctx.outputs.one)}`); return { got: 2 }; } },
    ],
    result: (ctx) => ({ total: (ctx.outputs.one as { got: number }).got + (ctx.outputs.two as { got: number }).got }),
    ...extra,
  };
}

function waitUntil(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => (check() ? resolve() : Date.now() > end ? reject(new Error('condition not met in time')) : setTimeout(tick, 10));
    tick();
  });
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`job engine on ${backend}`, { skip: backend === 'postgres' ? postgresSkip : false }, () => {
    let db: TestStore;
    before(async () => { db = await testStore(backend); });
    after(async () => { await db.close(); });

    it('runs steps in order, skips a step whose `when` is false, passes outputs on and stores the result', async () => {
      const calls: Calls = [];
      const { engine, bus } = testEngine(db.store);
      engine.register(recordingKind('order', calls));
      const topics: string[] = [];
      bus.subscribe((e) => topics.push(`${e.topic}|${e.type}`));
      await engine.start();
      const job = await engine.submit({ kind: 'order', params: { n: 7 }, requestedBy: 'alice', correlationId: 'c-1' });
      assert.equal(job.state, 'queued');
      const done = await engine.waitFor(job.id, 10_000);
      await engine.stop();
      assert.equal(done.state, 'succeeded');
      assert.deepEqual(calls, ['one:7', 'two:{"got":1}']);
      assert.deepEqual(done.steps.map((s) => [s.name, s.state]), [['one', 'succeeded'], ['maybe', 'skipped'], ['two', 'succeeded']]);
      assert.deepEqual(done.result, { total: 3 });
      assert.ok(done.startedAt && done.finishedAt && done.steps[0]!.startedAt);
      assert.ok(topics.includes('jobs|job.created') && topics.includes('jobs|job.updated'));
      assert.ok(topics.includes(`jobs:${job.id}|job.step`) && topics.includes(`jobs:${job.id}|job.log`));
      const events = await engine.events(job.id);
      assert.ok(events.finished);
      assert.ok(events.items.some((e) => e.message === 'step two succeeded' && e.step === 'two'));
      assert.ok(events.items.some((e) => e.message === 'step maybe skipped' && e.step === 'maybe'));
      assert.equal(events.items.at(-1)?.step, null);
      assert.deepEqual(events.items.map((e) => e.seq), events.items.map((_, i) => i + 1));
    });

    it('resumes an interrupted job from its last completed step (the completed step never runs again)', async () => {
      const calls: Calls = [];
      const first = testEngine(db.store);
      first.engine.register(recordingKind('resume', calls));
      const job = await first.engine.submit({ kind: 'resume', params: { n: 1 }, requestedBy: 'alice', correlationId: 'c-2' });
      // What a process killed during step `two` leaves behind: step one done with its output, step two running.
      await db.store.db.updateTable('jobs').set({ state: 'running', lease_owner: 'dead', lease_expires_at: '2000-01-01T00:00:00.000Z', attempts: 1 }).where('id', '=', job.id).execute();
      await db.store.db.updateTable('job_steps').set({ state: 'succeeded', output: JSON.stringify({ got: 40 }) }).where('job_id', '=', job.id).where('index', '=', 0).execute();
      await db.store.db.updateTable('job_steps').set({ state: 'running' }).where('job_id', '=', job.id).where('index', '=', 2).execute();
      const { engine } = testEngine(await db.reopen());
      engine.register(recordingKind('resume', calls));
      await engine.start();
      const done = await engine.waitFor(job.id, 10_000);
      await engine.stop();
      assert.equal(done.state, 'succeeded');
      assert.deepEqual(calls, ['two:{"got":40}']);
      assert.deepEqual(done.result, { total: 42 });
      const messages = (await engine.events(job.id)).items.map((e) => e.message);
      assert.ok(messages.some((m) => m.startsWith('interrupted:')), messages.join('\n'));
      assert.ok(messages.some((m) => m.startsWith('resuming (attempt 2)')));
    });

    it('a graceful stop interrupts a running job, which the next start resumes at the step it was in', async () => {
      const calls: Calls = [];
      let entered = false;
      const kind = (): JobKind => ({
        kind: 'stoppable',
        steps: [
          { name: 'a', run: async () => { calls.push('a'); return 1; } },
          { name: 'b', run: async (ctx) => { calls.push('b'); entered = true; if (calls.filter((c) => c === 'b').length === 1) await ctx.sleep(60); return 2; } },
        ],
      });
      const first = testEngine(db.store).engine;
      first.register(kind());
      await first.start();
      const job = await first.submit({ kind: 'stoppable', params: {}, requestedBy: 'ops', correlationId: 'c-stop' });
      await waitUntil(() => entered);
      await first.stop();
      assert.equal((await first.get(job.id)).state, 'interrupted');
      const second = testEngine(db.store).engine;
      second.register(kind());
      await second.start();
      const done = await second.waitFor(job.id, 10_000);
      await second.stop();
      assert.equal(done.state, 'succeeded');
      assert.deepEqual(calls, ['a', 'b', 'b']);
    });

    it('fails a step that overruns its deadline, with JOB_STEP_DEADLINE, and rolls back', async () => {
      const undone: string[] = [];
      const { engine } = testEngine(db.store);
      engine.register({
        kind: 'slow',
        steps: [
          { name: 'make', run: async (ctx) => { await ctx.registerRollback('unmake', { id: 'a' }); return null; } },
          { name: 'hang', deadlineSeconds: () => 0.2, run: () => new Promise(() => undefined) },
        ],
        rollbacks: { unmake: async (_ctx, data) => { undone.push((data as { id: string }).id); } },
      });
      await engine.start();
      const job = await engine.submit({ kind: 'slow', params: {}, requestedBy: 'bob', correlationId: 'c-3' });
      const done = await engine.waitFor(job.id, 10_000);
      await engine.stop();
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'JOB_STEP_DEADLINE');
      assert.match(done.error!.message, /hang did not finish within 0.2 s/);
      assert.deepEqual(undone, ['a']);
      assert.deepEqual(done.steps.map((s) => s.state), ['rolled-back', 'failed']);
    });

    it('fails with the step\'s AppError message and runs the rollbacks newest first', async () => {
      const undone: string[] = [];
      const { engine } = testEngine(db.store);
      engine.register({
        kind: 'failing',
        steps: [
          { name: 'a', run: async (ctx) => { await ctx.registerRollback('undo', 'a'); return null; } },
          { name: 'b', run: async (ctx) => { await ctx.registerRollback('undo', 'b'); return null; } },
          { name: 'c', run: async () => { throw new AppError('AGENT_OPERATION_FAILED', 'Host agent on HV01: disk is full', { details: { host: 'HV01' } }); } },
          { name: 'd', run: async () => { undone.push('d ran!'); return null; } },
        ],
        rollbacks: { undo: async (_ctx, data) => { undone.push(String(data)); } },
      });
      await engine.start();
      const job = await engine.submit({ kind: 'failing', params: {}, requestedBy: 'bob', correlationId: 'c-4' });
      const done = await engine.waitFor(job.id, 10_000);
      await engine.stop();
      assert.equal(done.state, 'failed');
      assert.deepEqual(done.error, { code: 'AGENT_OPERATION_FAILED', message: 'Host agent on HV01: disk is full', details: { host: 'HV01' } });
      assert.deepEqual(undone, ['b', 'a']);
      assert.deepEqual(done.steps.map((s) => s.state), ['rolled-back', 'rolled-back', 'failed', 'pending']);
      assert.equal(done.steps[2]!.error?.message, 'Host agent on HV01: disk is full');
    });

    it('cancel aborts the running step, rolls back newest first and ends cancelled; a finished job cannot be cancelled', async () => {
      const undone: string[] = [];
      let sawAbort = false;
      let entered = false;
      const { engine } = testEngine(db.store);
      engine.register({
        kind: 'cancellable',
        steps: [
          { name: 'a', run: async (ctx) => { await ctx.registerRollback('undo', 1); await ctx.registerRollback('undo', 2); return null; } },
          { name: 'wait', run: async (ctx) => { entered = true; try { await ctx.sleep(60); } catch (e) { sawAbort = ctx.signal.aborted; throw e; } return null; } },
        ],
        rollbacks: { undo: async (_ctx, data) => { undone.push(String(data)); } },
      });
      await engine.start();
      const job = await engine.submit({ kind: 'cancellable', params: {}, requestedBy: 'bob', correlationId: 'c-5' });
      await waitUntil(() => entered);
      await engine.cancel(job.id, 'carol');
      const done = await engine.waitFor(job.id, 10_000);
      assert.equal(done.state, 'cancelled');
      assert.equal(done.error?.message, 'cancelled by carol');
      assert.ok(sawAbort);
      assert.deepEqual(undone, ['2', '1']);
      await assert.rejects(engine.cancel(job.id, 'carol'), (e: AppError) => e.code === 'CONFLICT' && e.status === 409);
      // A queued job (kind not started yet) is cancelled at once.
      await engine.stop();
      const idle = testEngine(db.store).engine;
      idle.register({ kind: 'never', steps: [{ name: 'x', run: async () => null }] });
      const queued = await idle.submit({ kind: 'never', params: {}, requestedBy: 'bob', correlationId: 'c-6' });
      const cancelled = await idle.cancel(queued.id, 'dave');
      assert.equal(cancelled.state, 'cancelled');
    });

    it('never exceeds a per-host slot with 50 concurrent jobs, and sleeping jobs hold no worker', async () => {
      const { engine } = testEngine(db.store, { concurrency: 2, hostSlots: { 'image.copy': 1 } });
      const inSlot = new Map<string, number>();
      let maxPerHost = 0;
      let maxTotal = 0;
      let total = 0;
      engine.register({
        kind: 'copy',
        steps: [{
          name: 'copy',
          run: async (ctx: StepContext) => {
            const host = String(ctx.job.params.host);
            await ctx.sleep(0.05);
            return ctx.withHostSlot(host, 'image.copy', async () => {
              inSlot.set(host, (inSlot.get(host) ?? 0) + 1);
              total += 1;
              maxPerHost = Math.max(maxPerHost, inSlot.get(host)!);
              maxTotal = Math.max(maxTotal, total);
              await ctx.sleep(0.01);
              inSlot.set(host, inSlot.get(host)! - 1);
              total -= 1;
              return null;
            });
          },
        }],
      });
      await engine.start();
      const started = Date.now();
      const jobs = await Promise.all(Array.from({ length: 50 }, (_, i) => engine.submit({ kind: 'copy', params: { host: `HV0${i % 5}` }, requestedBy: 'load', correlationId: `l-${i}` })));
      const done = await Promise.all(jobs.map((j) => engine.waitFor(j.id, 30_000)));
      await engine.stop();
      assert.ok(done.every((j) => j.state === 'succeeded'));
      assert.equal(maxPerHost, 1);
      // Five hosts copied side by side although only two workers exist: waiting gave the workers back.
      assert.ok(maxTotal > 2, `max parallel copies ${maxTotal}`);
      assert.ok(Date.now() - started < 20_000);
      assert.deepEqual(engine.stats().workers, { capacity: 2, inUse: 0, waiting: 0 });
      assert.equal(engine.stats().inFlight, 0);
    });

    it('the same idempotency key and body give the same job; a different body is a 409 conflict', async () => {
      const { engine } = testEngine(db.store);
      engine.register({ kind: 'idem', steps: [{ name: 'x', run: async () => null }] });
      const a = await engine.submit({ kind: 'idem', params: { b: 1, a: [1, 2] }, requestedBy: 'erin', correlationId: 'c-7', idempotencyKey: 'key-1' });
      const b = await engine.submit({ kind: 'idem', params: { a: [1, 2], b: 1 }, requestedBy: 'erin', correlationId: 'c-8', idempotencyKey: 'key-1' });
      assert.equal(b.id, a.id);
      await assert.rejects(engine.submit({ kind: 'idem', params: { a: [2, 1], b: 1 }, requestedBy: 'erin', correlationId: 'c-9', idempotencyKey: 'key-1' }), (e: AppError) => e.code === 'CONFLICT' && e.status === 409);
      const raced = await Promise.all([1, 2, 3].map(() => engine.submit({ kind: 'idem', params: {}, requestedBy: 'erin', correlationId: 'c-10', idempotencyKey: 'key-2' })));
      assert.equal(new Set(raced.map((j) => j.id)).size, 1);
      const other = await engine.submit({ kind: 'idem', params: { b: 1, a: [1, 2] }, requestedBy: 'frank', correlationId: 'c-11', idempotencyKey: 'key-1' });
      assert.notEqual(other.id, a.id);
      await assert.rejects(engine.submit({ kind: 'nope', params: {}, requestedBy: 'erin', correlationId: 'c' }), (e: AppError) => e.code === 'JOB_KIND_UNKNOWN');
    });

    it('keeps secrets out of params, log lines, outputs, errors and every stored row', async () => {
      const marker = 'S3cret-MARKER-7f1c';
      let seen: unknown;
      const { engine } = testEngine(db.store);
      engine.register({
        kind: 'secretive',
        steps: [
          { name: 'use', run: async (ctx) => { seen = ctx.secrets.password; ctx.log('info', `password is ${String(ctx.secrets.password)}`); return { echo: ctx.secrets.password, nested: `x${String(ctx.secrets.password)}y` }; } },
          { name: 'boom', run: async (ctx) => { throw new AppError('AGENT_OPERATION_FAILED', `guest said: bad password "${String(ctx.secrets.password)}"`); } },
        ],
      });
      await engine.start();
      const job = await engine.submit({ kind: 'secretive', params: { name: 'vm1' }, secrets: { password: marker, nested: { key: `ssh-ed25519 ${marker}` } }, requestedBy: 'gina', correlationId: 'c-12' });
      const done = await engine.waitFor(job.id, 10_000);
      await engine.stop();
      assert.equal(seen, marker);
      assert.equal(done.state, 'failed');
      assert.ok(done.hasSecrets);
      assert.match(done.error!.message, /bad password "••••••"/);
      const everything = JSON.stringify({
        view: done, events: await engine.events(job.id), list: await engine.list({}),
        rows: await Promise.all((['jobs', 'job_steps', 'job_events', 'job_rollbacks'] as const).map((t) => db.store.db.selectFrom(t).selectAll().execute())),
      });
      assert.ok(!everything.includes(marker), 'the secret marker appears somewhere');
      assert.ok(!everything.includes('S3cret'));
      assert.ok(everything.includes('password is ••••••'));
    });
  });
}
