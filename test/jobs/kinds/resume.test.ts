/**
 * Provisioning steps are idempotent: the orchestrator stops in the middle of the image copy, and
 * the store is made to say the VM creation itself never finished (a crash just after the host
 * created it). On restart the job re-runs both steps and finishes with exactly one VM and one
 * boot disk: the VM carrying this job's marker is adopted, the copied disk is recognised.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { control, explain, modelVms, oplog, startHarness, submit, type Harness } from './harness.ts';
import { linuxRequest } from './requests.ts';

describe('provisioning resumes after a restart without doing anything twice', () => {
  let h: Harness;
  let host: string;
  before(async () => {
    h = await startHarness({ hosts: 1, vmsPerHost: 1 });
    host = h.sim.hosts[0]!.name;
  });
  after(async () => h.stop());

  it('re-runs create-vm and copy-image after an interruption: one VM, one disk, job succeeded', async () => {
    await control(h.sim, 'PUT', `/hosts/${host}/faults`, { operations: { 'image.copy': { delayMs: 800 } } });
    const job = await submit(h, 'provision', linuxRequest('resume-01', { host }, { imageMode: 'differencing' }));
    const deadline = Date.now() + 20_000;
    while ((await h.engine.get(job.id)).currentStep !== 'copy-image') {
      assert.ok(Date.now() < deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300)); // the copy is under way on the host
    const engine = await h.restartEngine();
    assert.equal((await engine.get(job.id)).state, 'interrupted');
    await h.store.db.updateTable('job_steps').set({ state: 'running', output: null }).where('job_id', '=', job.id).where('name', '=', 'create-vm').execute();
    await new Promise((r) => setTimeout(r, 1000)); // the host finishes the copy it had started
    await control(h.sim, 'PUT', `/hosts/${host}/faults`, {});
    await engine.start();
    const done = await engine.waitFor(job.id, 60_000);
    assert.equal(done.state, 'succeeded', explain(done));
    const ops = await oplog(h.sim);
    assert.equal(ops.filter((o) => o.operation === 'vm.create' && o.params.name === 'resume-01' && o.outcome === 'ok').length, 1, 'the VM was created once');
    const copies = ops.filter((o) => o.operation === 'image.copy' && JSON.stringify(o.params).includes('resume-01'));
    // Copied once with effect. The re-run either finds the disk already attached (the copy step
    // attaches as soon as the copy ends, which the first engine's host work still did here) or,
    // after a real crash between the two, finds the file (FILE_EXISTS) and keeps it.
    assert.equal(copies[0]?.outcome, 'ok');
    assert.ok(copies.slice(1).every((o) => o.errorCode === 'FILE_EXISTS'), JSON.stringify(copies.map((o) => o.errorCode ?? o.outcome)));
    assert.ok(copies.length <= 2);
    const vms = (await modelVms(h.sim, host)).filter((v) => v.name === 'resume-01');
    assert.equal(vms.length, 1);
    assert.equal(vms[0]!.disks.length, 1, 'one boot disk');
    assert.equal(vms[0]!.disks[0]!.type, 'Differencing');
    assert.equal(vms[0]!.kvp.guest['aetherv.guest.state'], 'applied');
    assert.equal(vms[0]!.notes, 'web tier');
  });
});
