/**
 * Power and update jobs through the real host agent on a seeded VM (Running, generation 2):
 * every power action and a refusal naming the state, then CPU and memory with stop-if-needed
 * (started again) and name and notes — each checked in the simulator's model.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { modelVms, type ModelVm } from '../jobs/kinds/harness.ts';
import { explain, startRealAgent, type RealAgentOrchestrator } from './support.ts';

describe('real agent: power and update jobs', { timeout: 1_800_000 }, () => {
  let o: RealAgentOrchestrator;
  let host: string;
  let vmId: string;
  const vm = async (): Promise<ModelVm | undefined> => (await modelVms(o.sim, host)).find((v) => v.vmId === vmId);

  before(async () => {
    o = await startRealAgent({ simulator: { hosts: 1, clusters: 0, vmsPerHost: 2, seed: 1, addressBase: '127.0.70.1' } });
    host = o.sim.hosts[0]!.name;
    await o.services.inventory.refreshAll();
    // Seed 1's second VM: a Running generation 2 Debian VM in C:\Hyper-V\app-0002.
    const seeded = (await modelVms(o.sim, host)).find((v) => v.name === 'app-0002');
    assert.equal(seeded?.state, 'Running');
    vmId = seeded!.vmId;
  });
  after(async () => { await o?.stop(); });

  it('power: pause, resume, save, start; a pause of a Saved VM is refused naming the state', { timeout: 900_000 }, async () => {
    for (const [action, state] of [['pause', 'Paused'], ['resume', 'Running'], ['save', 'Saved']] as const) {
      const job = await o.run('power', { host, vmId, action });
      assert.equal(job.state, 'succeeded', `${action}: ${explain(job)}`);
      assert.equal((await vm())!.state, state, action);
    }
    const refused = await o.run('power', { host, vmId, action: 'pause' });
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, 'VM_STATE_CONFLICT');
    assert.equal((await vm())!.state, 'Saved');
    const started = await o.run('power', { host, vmId, action: 'start' });
    assert.equal(started.state, 'succeeded', explain(started));
    assert.equal((await vm())!.state, 'Running');
  });

  it('update: CPU and memory of a running VM with stopIfNeeded (started again), then name and notes', { timeout: 900_000 }, async () => {
    const job = await o.run('update', { host, vmId, changes: { cpuCount: 4, memory: { startupMiB: 3072 } }, stopIfNeeded: true });
    assert.equal(job.state, 'succeeded', explain(job));
    let v = (await vm())!;
    assert.deepEqual([v.cpuCount, v.memory.startupBytes, v.state], [4, 3072 * 1024 * 1024, 'Running']);
    const notes = 'line one\nline "two" $(whoami) — ünïcödé';
    const renamed = await o.run('update', { host, vmId, changes: { name: 'life-02', notes }, stopIfNeeded: false });
    assert.equal(renamed.state, 'succeeded', explain(renamed));
    v = (await vm())!;
    assert.deepEqual([v.name, v.notes], ['life-02', notes]);
    assert.equal(o.services.inventory.vm(vmId)?.name, 'life-02');
  });

});
