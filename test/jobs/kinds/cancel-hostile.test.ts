/**
 * Cancel during a slow image copy rolls the VM and its disk back (the copy still running on the
 * host is waited for, so no file appears after the rollback); hostile strings arrive in the
 * simulator's operation log byte for byte, as JSON params.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { control, explain, filesOn, modelVms, oplog, runJob, startHarness, submit, type Harness } from './harness.ts';
import { linuxRequest } from './requests.ts';

describe('cancel and hostile input', () => {
  let h: Harness;
  let host: string;
  before(async () => {
    h = await startHarness({ hosts: 1, vmsPerHost: 1 });
    host = h.sim.hosts[0]!.name;
  });
  after(async () => h.stop());

  it('cancel during the image copy removes the partial VM and its disk', async () => {
    await control(h.sim, 'PUT', `/hosts/${host}/faults`, { operations: { 'image.copy': { delayMs: 1500 } } });
    try {
      const job = await submit(h, 'provision', linuxRequest('cancel-01', { host }, { imageMode: 'full' }));
      const deadline = Date.now() + 20_000;
      while ((await h.engine.get(job.id)).currentStep !== 'copy-image') {
        assert.ok(Date.now() < deadline, 'the job reached copy-image');
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 200));
      assert.ok((await modelVms(h.sim, host)).some((v) => v.name === 'cancel-01'), 'the VM exists while its disk is copied');
      await h.engine.cancel(job.id, 'tester');
      const done = await h.engine.waitFor(job.id, 30_000);
      assert.equal(done.state, 'cancelled', explain(done));
      assert.ok(!(await modelVms(h.sim, host)).some((v) => v.name === 'cancel-01'), 'no VM left');
      // The host finished its copy after the cancel: it must not have left the file behind.
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(filesOn(h.sim, host).filter((f) => f.toLowerCase().includes('\\cancel-01\\')), []);
      const ops = (await oplog(h.sim)).filter((o) => JSON.stringify(o.params).includes('cancel-01') || o.operation === 'vm.delete');
      assert.ok(ops.some((o) => o.operation === 'image.copy'), 'the copy had started');
      assert.ok(ops.some((o) => o.operation === 'vm.delete' && o.outcome === 'ok'), 'the rollback removed the VM');
    } finally {
      await control(h.sim, 'PUT', `/hosts/${host}/faults`, {});
    }
  });

  it('hostile names and notes travel byte for byte as JSON and never become code', async () => {
    const name = "'; Remove-VM x; ' $(Get-Date) `whoami` & ünï — 日本";
    const notes = "'; Remove-VM *; '\n$(Remove-Item C:\\ -Recurse)\r\n`n`r \"quoted\" 'single' | ; & %PATH% ✓ 日本語";
    const since = (await oplog(h.sim)).at(-1)?.seq ?? 0;
    const job = await runJob(h, 'provision', linuxRequest(name, { host }, { notes, guest: undefined, start: false, disks: [{ sizeGiB: 1, type: 'Dynamic' }] }));
    assert.equal(job.state, 'succeeded', explain(job));
    const vmId = (job.result as { vmId: string }).vmId;
    const ops = await oplog(h.sim, since);
    const create = ops.find((o) => o.operation === 'vm.create')!;
    assert.equal(create.params.name, name);
    assert.equal(create.params.notes, `${notes}\naetherv-job:${job.id}`);
    assert.ok(ops.some((o) => o.operation === 'vm.update' && o.params.notes === notes), 'the marker is removed with the notes intact');
    assert.ok(ops.some((o) => o.operation === 'disk.create' && (o.params.path as string).endsWith(`\\${name}-data1.vhdx`)));
    const vm = (await modelVms(h.sim, host)).find((v) => v.vmId === vmId)!;
    assert.equal(vm.name, name);
    assert.equal(vm.notes, notes);
    // Every other VM is still there: nothing was interpreted.
    assert.ok((await modelVms(h.sim, host)).length >= 2);
    const renamed = `${name} (2)`;
    const update = await runJob(h, 'update', { host, vmId, changes: { name: renamed, notes: `${notes}!` }, stopIfNeeded: false });
    assert.equal(update.state, 'succeeded', explain(update));
    const after = (await oplog(h.sim, since)).find((o) => o.operation === 'vm.update' && o.params.name === renamed)!;
    assert.equal(after.params.notes, `${notes}!`);
  });
});
