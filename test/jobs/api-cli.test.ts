/**
 * The jobs API and the `aetherv job` / `aetherv vm` commands against a running orchestrator
 * (real app, engine, agent client, simulator on loopback), plus submitAndReply on its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { AppError } from '../../server/src/errors.ts';
import { submitAndReply } from '../../server/src/api/jobs.ts';
import { toProblem, sendProblem } from '../../server/src/api/problem.ts';
import { runJobCli } from '../../server/src/cli/job.ts';
import { runVmCli } from '../../server/src/cli/vm.ts';
import { REPOSITORY_ROOT } from '../../server/src/version.ts';
import { startTestOrchestrator, testArtifacts, type TestOrchestrator } from '../support/orchestrator.ts';
import { testEngine, testStore, type TestStore } from './support/engine.ts';

interface Job { id: string; kind: string; state: string; steps: Array<{ name: string; state: string }>; error: { code: string; message: string } | null; result: unknown }

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env, pollMs: 50 }, out, err };
}

describe('submitAndReply', () => {
  let db: TestStore;
  before(async () => { db = await testStore('sqlite'); });
  after(async () => { await db.close(); });

  it('answers 202 with the job and its Location, and honours Idempotency-Key', async () => {
    const { engine } = testEngine(db.store);
    engine.register({ kind: 'thing', steps: [{ name: 'x', run: async () => null }] });
    const app = Fastify();
    app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error as Error, request, false)));
    app.post('/things', async (request, reply) => submitAndReply(reply, engine, { kind: 'thing', params: request.body as Record<string, unknown>, requestedBy: 'tester' }));
    const post = (body: unknown, key?: string) => app.inject({ method: 'POST', url: '/things', payload: body as object, headers: key ? { 'idempotency-key': key } : {} });
    const first = await post({ size: 1 }, 'abc');
    assert.equal(first.statusCode, 202);
    const job = first.json<Job>();
    assert.equal(first.headers.location, `/api/v1/jobs/${job.id}`);
    assert.equal(job.state, 'queued');
    assert.equal((await post({ size: 1 }, 'abc')).json<Job>().id, job.id);
    const conflict = await post({ size: 2 }, 'abc');
    assert.equal(conflict.statusCode, 409);
    assert.match(conflict.json<{ detail: string }>().detail, /already used for a different request/);
    assert.notEqual((await post({ size: 1 })).json<Job>().id, job.id);
    assert.equal((await post({ size: 1 }, 'bad key with spaces')).statusCode, 400);
    await app.close();
  });
});

describe('jobs API and CLI against a running orchestrator', () => {
  let o: TestOrchestrator;
  let dir: string;
  let release: () => void = () => undefined;
  const http = async (method: string, path: string) => {
    const res = await fetch(`${o.url}${path}`, { method });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };
  const server = () => ['--server', o.url];

  before(async () => {
    o = await startTestOrchestrator({ simulator: { hosts: 1, vmsPerHost: 1, preinstallAgentFrom: await testArtifacts() } });
    dir = mkdtempSync(join(tmpdir(), 'aetherv-cli-'));
    const gate = new Promise<void>((resolve) => { release = resolve; });
    o.services.jobs.registerKinds([
      { kind: 'test.ok', steps: [{ name: 'first', run: async (ctx) => { ctx.log('info', 'halfway there'); return { n: 1 }; } }, { name: 'second', run: async () => null }], result: () => ({ answer: 42 }) },
      { kind: 'test.fail', steps: [{ name: 'boom', run: async () => { throw new AppError('AGENT_OPERATION_FAILED', 'Host agent on HV01: the disk is full'); } }] },
      { kind: 'test.gate', steps: [{ name: 'wait', run: async (ctx) => { await Promise.race([gate, ctx.sleep(30)]); return null; } }] },
    ]);
    await o.services.inventory.refreshAll();
    await o.services.jobs.start();
  });
  after(async () => {
    release();
    await o?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = (kind: string, host = 'HV01') => o.services.jobs.submit({ kind, params: {}, requestedBy: 'api-test', correlationId: `t-${kind}`, host });

  it('lists with filters, newest first, page by page; shows one job; streams its events after a sequence', async () => {
    const ok = await o.services.jobs.waitFor((await submit('test.ok')).id);
    const failed = await o.services.jobs.waitFor((await submit('test.fail', 'HV09')).id);
    await o.services.jobs.waitFor((await submit('test.ok')).id);
    const all = (await http('GET', '/api/v1/jobs?kind=test.ok')).body as { items: Job[]; total: number };
    assert.equal(all.total, 2);
    assert.ok(all.items.every((j) => j.kind === 'test.ok'));
    const byHost = (await http('GET', '/api/v1/jobs?host=HV09')).body as { items: Job[] };
    assert.deepEqual(byHost.items.map((j) => j.id), [failed.id]);
    assert.equal(((await http('GET', '/api/v1/jobs?state=failed')).body as { items: Job[] }).items[0]!.id, failed.id);
    const page1 = (await http('GET', '/api/v1/jobs?limit=2')).body as { items: Job[]; nextCursor: string };
    assert.equal(page1.items.length, 2);
    const page2 = (await http('GET', `/api/v1/jobs?limit=2&cursor=${page1.nextCursor}`)).body as { items: Job[]; nextCursor: string | null };
    assert.deepEqual(page2.items.map((j) => j.id), [ok.id]);
    assert.equal(page2.nextCursor, null);
    const one = (await http('GET', `/api/v1/jobs/${ok.id}`)).body as unknown as Job;
    assert.deepEqual(one.steps.map((s) => [s.name, s.state]), [['first', 'succeeded'], ['second', 'succeeded']]);
    assert.deepEqual(one.result, { answer: 42 });
    const events = (await http('GET', `/api/v1/jobs/${ok.id}/events`)).body as { items: Array<{ seq: number; message: string }>; finished: boolean };
    assert.ok(events.finished);
    const later = (await http('GET', `/api/v1/jobs/${ok.id}/events?after=${events.items[1]!.seq}`)).body as { items: Array<{ seq: number }> };
    assert.deepEqual(later.items.map((e) => e.seq), events.items.slice(2).map((e) => e.seq));
    assert.equal((await http('GET', '/api/v1/jobs/00000000-0000-0000-0000-000000000000')).status, 404);
    assert.equal((await http('GET', '/api/v1/jobs?state=bogus')).status, 400);
    assert.equal((await http('GET', '/api/v1/jobs?cursor=garbage')).status, 400);
  });

  it('cancels a running job (202) and refuses to cancel a finished one (409)', async () => {
    const job = await submit('test.gate');
    const end = Date.now() + 10_000;
    while ((await o.services.jobs.get(job.id)).state !== 'running' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const cancel = await http('POST', `/api/v1/jobs/${job.id}/cancel`);
    assert.equal(cancel.status, 202);
    const done = await o.services.jobs.waitFor(job.id);
    assert.equal(done.state, 'cancelled');
    const again = await http('POST', `/api/v1/jobs/${job.id}/cancel`);
    assert.equal(again.status, 409);
  });

  it('aetherv job list|show|watch: live progress, exit 0 on success, 1 with the error message on failure', async () => {
    const ok = await submit('test.ok');
    const watched = capture();
    assert.equal(await runJobCli(['watch', ok.id, ...server()], watched.io), 0);
    assert.ok(watched.out.some((l) => /\[first\] halfway there$/.test(l)), watched.out.join('\n'));
    assert.match(watched.out.at(-1)!, /succeeded: \{"answer":42\}/);
    const failing = await submit('test.fail');
    const failed = capture();
    assert.equal(await runJobCli(['watch', failing.id, ...server()], failed.io), 1);
    assert.match(failed.err.join('\n'), /failed: Host agent on HV01: the disk is full \(AGENT_OPERATION_FAILED\)/);
    const list = capture();
    assert.equal(await runJobCli(['list', '--kind', 'test.fail', ...server()], list.io), 0);
    assert.ok(list.out.some((l) => l.startsWith(failing.id) && l.includes('failed')));
    const show = capture({ AETHERV_SERVER: o.url });
    assert.equal(await runJobCli(['show', ok.id], show.io), 0);
    assert.match(show.out.join('\n'), /succeeded\s+first/);
  });

  it('bad input exits 2 with a clear message; an unreachable server exits 1', async () => {
    const cases: Array<[Promise<number>, RegExp, ReturnType<typeof capture>]> = [];
    const run = (f: (io: ReturnType<typeof capture>['io']) => Promise<number>, pattern: RegExp) => {
      const c = capture();
      cases.push([f(c.io), pattern, c]);
    };
    run((io) => runJobCli(['frob'], io), /unknown job command frob/);
    run((io) => runJobCli(['show'], io), /job show needs a job id/);
    run((io) => runJobCli(['list', '--server', 'not a url'], io), /is not a URL/);
    run((io) => runVmCli(['create', ...server()], io), /vm create needs --file/);
    run((io) => runVmCli(['create', '--file', join(dir, 'missing.json'), ...server()], io), /cannot read .*missing.json as JSON/);
    run((io) => runVmCli(['delete', '--frobnicate', 'x'], io), /unknown option --frobnicate/);
    for (const [code, pattern, c] of cases) {
      assert.equal(await code, 2, c.err.join('\n'));
      assert.match(c.err.join('\n'), pattern);
    }
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = capture();
    assert.equal(await runJobCli(['list', '--server', `http://127.0.0.1:${port}`], down.io), 1);
    assert.match(down.err.join('\n'), new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('aetherv vm create|list|show|stop|start|delete drive the VM routes and follow their jobs', { timeout: 90_000 }, async () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({
      name: 'cli-web-01', host: 'HV01', image: 'Ubuntu-24.04', imageMode: 'differencing', cpuCount: 2,
      memory: { startupMiB: 2048, dynamic: false }, disks: [], nics: [{ switchName: 'External' }], notes: 'from the CLI',
      guest: { hostname: 'cli-web-01', users: [{ name: 'ops', sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0cB2v9Cq3V5n1bE1rj0x0m0Zl5nqkQy3y6b2Jt7dL ops@example'], sudo: true }] },
      clustered: false, start: true,
    }));
    const created = capture();
    assert.equal(await runVmCli(['create', '--file', spec, ...server()], created.io), 0, created.err.join('\n'));
    assert.ok(created.out.some((l) => l.includes('[create-vm]')), created.out.join('\n'));
    const vmId = /"vmId":"([0-9a-f-]{36})"/i.exec(created.out.at(-1)!)?.[1];
    assert.ok(vmId, created.out.at(-1));
    const list = capture();
    assert.equal(await runVmCli(['list', '--name', 'cli-web', ...server()], list.io), 0);
    assert.ok(list.out.some((l) => l.startsWith(vmId!) && l.includes('cli-web-01') && l.includes('Running')), list.out.join('\n'));
    const show = capture();
    assert.equal(await runVmCli(['show', vmId!, ...server()], show.io), 0);
    assert.equal((JSON.parse(show.out.join('\n')) as { name: string }).name, 'cli-web-01');
    for (const command of ['stop', 'start']) {
      const c = capture();
      assert.equal(await runVmCli([command, vmId!, ...server()], c.io), 0, c.err.join('\n'));
    }
    // A VM the server does not know: exit 1 with the server's reason, before any job exists.
    const unknown = capture();
    assert.equal(await runVmCli(['stop', '00000000-0000-4000-8000-000000000000', ...server()], unknown.io), 1);
    assert.match(unknown.err.join('\n'), /404/);
    const deleted = capture();
    assert.equal(await runVmCli(['delete', vmId!, '--delete-disks', '--force', ...server()], deleted.io), 0, deleted.err.join('\n'));
    const ops = await (await fetch(`${o.sim.controlUrl}/oplog`)).json() as Array<{ operation: string; params: Record<string, unknown>; outcome: string }>;
    const del = ops.find((e) => e.operation === 'vm.delete' && e.params.vmId === vmId);
    assert.ok(del && del.outcome === 'ok');
  });

  it('the aetherv binary dispatches job and vm', async () => {
    // Asynchronous: the server answering the child lives in this process.
    const run = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'server/src/cli/main.ts', ...args], { cwd: REPOSITORY_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, AETHERV_SERVER: o.url }, timeout: 30_000 },
        (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }));
    });
    const listed = await run('job', 'list', '--kind', 'test.ok');
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^ID\s+KIND\s+STATE/);
    const bad = await run('vm', 'create');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /vm create needs --file/);
  });
});
