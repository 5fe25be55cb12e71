/**
 * Durability (issue 7): an orchestrator process killed with SIGKILL in the middle of
 * provisioning, then started again, resumes the job and finishes it; the simulator's operation
 * log shows no step executed twice with effect (one VM, one image copy, one ISO attach).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startSimulator, type Simulator, type OpLogEntry } from '../../simulator/src/index.ts';
import { openStore, type Store } from '../../server/src/store/store.ts';
import { EventBus } from '../../server/src/events/bus.ts';
import { JobEngine } from '../../server/src/jobs/engine.ts';
import { allKinds } from '../../server/src/jobs/kinds/index.ts';
import { testArtifacts } from '../support/orchestrator.ts';
import { linuxRequest } from './kinds/requests.ts';
import { NO_SERVICES } from './support/engine.ts';
import { orchestratorEnv, spawnOrchestrator, SECRETS_KEY, type OrchestratorProcess } from './support/process.ts';

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('an orchestrator killed with SIGKILL during provisioning', () => {
  let sim: Simulator;
  let dir: string;
  let store: Store;
  const processes: OrchestratorProcess[] = [];

  before(async () => {
    const artifacts = await testArtifacts();
    // Fixed ports on addresses no other test uses: the orchestrator reaches hosts by address.
    sim = await startSimulator({ hosts: 2, vmsPerHost: 1, timeScale: 0.05, addressBase: '127.0.57.1', ports: { winrm: 5985, winrmHttps: 5986, ssh: 0, control: 0 }, preinstallAgentFrom: artifacts });
    dir = mkdtempSync(join(tmpdir(), 'aetherv-durability-'));
  });

  after(async () => {
    for (const p of processes) await p.kill('SIGKILL');
    await store?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes after a restart and finishes, with no step executed twice with effect', { timeout: 120_000 }, async () => {
    const artifacts = await testArtifacts();
    const databaseUrl = `sqlite:${join(dir, 'orchestrator.db')}`;
    store = await openStore(databaseUrl);
    // The job is submitted through an engine on the same store (the API does no more than this).
    const submitter = new JobEngine({ storeOf: () => store, bus: new EventBus(), services: NO_SERVICES, logger: pino({ level: 'silent' }), secretsKey: SECRETS_KEY });
    submitter.registerKinds(allKinds);
    const host = sim.hosts[0]!.address;
    const name = 'durable-web-01';
    const job = await submitter.submit({ kind: 'provision', params: linuxRequest(name, { host }) as unknown as Record<string, unknown>, secrets: {}, requestedBy: 'durability-test', correlationId: 'durability-1', host });

    const env = orchestratorEnv(sim, databaseUrl, artifacts);
    const first = spawnOrchestrator(env);
    processes.push(first);
    await first.url;
    const stepState = async (step: string) => (await store.db.selectFrom('job_steps').select('state').where('job_id', '=', job.id).where('name', '=', step).executeTakeFirst())?.state;
    // Killed once the VM and its disk exist and the guest phase is under way.
    const dump = async () => JSON.stringify({ job: await store.db.selectFrom('jobs').select(['state', 'error', 'current_step']).where('id', '=', job.id).executeTakeFirst(), steps: await store.db.selectFrom('job_steps').select(['name', 'state']).where('job_id', '=', job.id).execute() }) + first.output().slice(-4000);
    await until('the guest phase', async () => ((await stepState('copy-image')) === 'succeeded' && ['running', 'succeeded'].includes((await stepState('start')) ?? '') ? true : undefined), 60_000)
      .catch(async (error: Error) => { throw new Error(`${error.message}: ${await dump()}`); });
    await first.kill('SIGKILL');
    const dead = await store.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    assert.equal(dead.state, 'running', 'the kill landed after the job finished: the test proves nothing');

    const second = spawnOrchestrator(env);
    processes.push(second);
    const url = await second.url;
    const finished = await until('the job to finish', async () => {
      const res = await fetch(`${url}/api/v1/jobs/${job.id}`);
      if (!res.ok) return undefined;
      const body = await res.json() as { state: string; result: { vmId?: string } | null; error: unknown; steps: Array<{ name: string; state: string }> };
      return ['succeeded', 'failed', 'cancelled'].includes(body.state) ? body : undefined;
    }, 90_000);
    assert.equal(finished.state, 'succeeded', JSON.stringify(finished.error));
    assert.ok(finished.result?.vmId);
    assert.ok(finished.steps.every((s) => s.state === 'succeeded' || s.state === 'skipped'), JSON.stringify(finished.steps));

    const events = await (await fetch(`${url}/api/v1/jobs/${job.id}/events`)).json() as { items: Array<{ message: string }> };
    const messages = events.items.map((e) => e.message);
    assert.ok(messages.some((m) => m.startsWith('interrupted:')), messages.join('\n'));
    assert.ok(messages.some((m) => m.startsWith('resuming (attempt 2)')), messages.join('\n'));

    const oplog = await (await fetch(`${sim.controlUrl}/oplog`)).json() as OpLogEntry[];
    const vmId = finished.result!.vmId!;
    const ours = (e: OpLogEntry) => e.outcome === 'ok' && (JSON.stringify(e.params).includes(vmId) || JSON.stringify(e.params).includes(name));
    const count = (operation: string, extra: (p: Record<string, unknown>) => boolean = () => true) => oplog.filter((e) => e.operation === operation && ours(e) && extra(e.params as Record<string, unknown>)).length;
    assert.equal(count('vm.create'), 1, 'one VM created');
    assert.equal(count('image.copy'), 1, 'one image copy');
    assert.equal(count('disk.create'), 1, 'one boot disk attached');
    assert.equal(count('nic.create'), 1, 'one NIC');
    assert.equal(count('iso.attach'), 1, 'one ISO attach');
    assert.equal(count('vm.power', (p) => p.action === 'start'), 1, 'started once');
    assert.equal(count('vm.delete'), 0, 'nothing was rolled back');
  });
});
