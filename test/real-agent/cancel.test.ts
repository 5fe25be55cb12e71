/**
 * A provisioning job cancelled half-way through the real host agent: its rollback leaves neither
 * the VM in the simulator's model nor any of its files on the host's C: drive on disk, and the
 * VM that was there before is untouched.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linuxRequest } from '../jobs/kinds/requests.ts';
import { modelVms, oplog } from '../jobs/kinds/harness.ts';
import { explain, filesOnDisk, startRealAgent, type RealAgentOrchestrator } from './support.ts';

describe('real agent: cancel with rollback', { timeout: 1_800_000 }, () => {
  let o: RealAgentOrchestrator;
  let host: string;
  let vmId: string;

  before(async () => {
    o = await startRealAgent({ simulator: { hosts: 1, clusters: 0, vmsPerHost: 1, seed: 1, addressBase: '127.0.67.1' } });
    host = o.sim.hosts[0]!.name;
    await o.services.inventory.refreshAll();
    vmId = (await modelVms(o.sim, host))[0]!.vmId;
  });
  after(async () => { await o?.stop(); });

  it('cancel during provisioning rolls back: no VM in the model, none of its files on disk', { timeout: 900_000 }, async () => {
    const job = await o.submit('provision', linuxRequest('cancel-01', { host }, { imageMode: 'full', disks: [{ sizeGiB: 5, type: 'Dynamic' }] }));
    // Each agent call costs a pwsh start, so a step lasts long enough to be caught in flight.
    const deadline = Date.now() + 120_000;
    while (!['copy-image', 'data-disks', 'nics'].includes((await o.services.jobs.get(job.id)).currentStep ?? '')) {
      assert.ok(Date.now() < deadline, 'the job reached the image copy');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok((await modelVms(o.sim, host)).some((v) => v.name === 'cancel-01'), 'the VM exists when the job is cancelled');
    await o.services.jobs.cancel(job.id, 'tester');
    const done = await o.services.jobs.waitFor(job.id, 180_000);
    assert.equal(done.state, 'cancelled', explain(done));
    assert.ok(!(await modelVms(o.sim, host)).some((v) => v.name === 'cancel-01'), 'no VM left in the model');
    const files = await filesOnDisk(o, host);
    assert.deepEqual(files.filter((f) => f.toLowerCase().includes('\\cancel-01')), [], 'no file of cancel-01 left on disk');
    const ops = (await oplog(o.sim)).filter((e) => JSON.stringify(e.params).includes('cancel-01') || e.operation === 'vm.delete');
    assert.ok(ops.some((e) => e.operation === 'vm.create' && e.outcome === 'ok'), 'the VM had been created');
    assert.ok(ops.some((e) => e.operation === 'vm.delete' && e.outcome === 'ok'), 'the rollback removed it through the agent');
    // The VM of the other tests is untouched.
    assert.ok((await modelVms(o.sim, host)).some((v) => v.vmId === vmId));
  });
});
