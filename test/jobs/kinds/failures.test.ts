/**
 * Every kind's failure path: the simulated host fails the kind's main operation (fault
 * injection on the simulator's control API); the job fails with the host's own message and
 * leaves nothing half-made — checked in the simulator's model and files.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { control, explain, filesOn, modelVms, runJob, startHarness, type Harness, type ModelVm } from './harness.ts';
import { linuxRequest } from './requests.ts';

const BUSY = 'HOST_BUSY: The Virtual Machine Management Service is busy';

describe('job kinds fail cleanly on host errors', () => {
  let h: Harness;
  let host: string;
  let vmId: string;
  const vms = async (): Promise<ModelVm[]> => modelVms(h.sim, host);
  const vm = async (): Promise<ModelVm> => (await vms()).find((v) => v.vmId === vmId)!;
  const failing = (operation: string) => control(h.sim, 'PUT', `/hosts/${host}/faults`, { operations: { [operation]: { failureRate: 1 } } });
  const expectHostError = (job: { state: string; error: { message: string } | null }, operation: string) => {
    assert.equal(job.state, 'failed');
    assert.ok(job.error?.message.includes(`${operation} on ${host} failed: ${BUSY}`), job.error?.message);
  };
  const folderOf = (name: string) => filesOn(h.sim, host).filter((f) => f.toLowerCase().startsWith(`c:\\hyper-v\\${name}\\`));

  before(async () => {
    h = await startHarness({ hosts: 3, clusters: 1, vmsPerHost: 1 });
    host = h.sim.hosts.find((r) => r.cluster === null)!.name;
    const made = await runJob(h, 'provision', linuxRequest('base-01', { host }, { guest: undefined, start: false }));
    assert.equal(made.state, 'succeeded', explain(made));
    vmId = (made.result as { vmId: string }).vmId;
  });
  afterEach(async () => { await control(h.sim, 'PUT', `/hosts/${host}/faults`, {}); });
  after(async () => h.stop());

  for (const operation of ['vm.create', 'image.copy', 'nic.create', 'kvp.set'] as const) {
    it(`provision: ${operation} failing leaves no VM and no file`, async () => {
      await failing(operation);
      const name = `fail-${operation.replace('.', '-').toLowerCase()}`;
      const job = await runJob(h, 'provision', linuxRequest(name, { host }, { disks: [{ sizeGiB: 5, type: 'Dynamic' }] }));
      expectHostError(job, operation);
      assert.ok(!(await vms()).some((v) => v.name === name), 'no VM left');
      assert.deepEqual(folderOf(name), [], 'no file left in the VM folder');
    });
  }

  it('provision: a guest that reports failure fails the job with the guest\'s error; the VM is removed', async () => {
    const version = h.jobServices.version;
    h.jobServices.version = '0.0.0-other';
    try {
      const job = await runJob(h, 'provision', linuxRequest('fail-guest', { host }));
      assert.equal(job.state, 'failed');
      assert.equal(job.error?.code, 'GUEST_PROVISIONING_FAILED');
      assert.match(job.error?.message ?? '', /the guest reported that its configuration failed: error version-mismatch:.*0\.0\.0-other/);
      assert.ok(!(await vms()).some((v) => v.name === 'fail-guest'));
      assert.deepEqual(folderOf('fail-guest'), []);
    } finally {
      h.jobServices.version = version;
    }
  });

  it('provision: cluster.addVm failing on a cluster node removes the VM from shared storage', async () => {
    const node = h.sim.hosts.find((r) => r.cluster !== null)!;
    await control(h.sim, 'PUT', `/hosts/${node.name}/faults`, { operations: { 'cluster.addVm': { failureRate: 1 } } });
    try {
      const job = await runJob(h, 'provision', linuxRequest('fail-role', { host: node.name }, { clustered: true }));
      assert.equal(job.state, 'failed');
      assert.ok(job.error?.message.includes(`cluster.addVm on ${node.name} failed: ${BUSY}`), job.error?.message);
      assert.ok(!(await modelVms(h.sim, node.name)).some((v) => v.name === 'fail-role'));
      assert.deepEqual(filesOn(h.sim, node.name).filter((f) => f.toLowerCase().includes('\\fail-role\\')), []);
    } finally {
      await control(h.sim, 'PUT', `/hosts/${node.name}/faults`, {});
    }
  });

  it('initialize: kvp.set failing ejects the ISO and leaves no host item', async () => {
    await failing('kvp.set');
    const job = await runJob(h, 'initialize', { host, vmId, osFamily: 'linux', guest: { hostname: 'base-01' } });
    expectHostError(job, 'kvp.set');
    const v = await vm();
    assert.equal(v.isoPath, null);
    assert.deepEqual(Object.keys(v.kvp.host).filter((k) => k.startsWith('aetherv.')), []);
    assert.ok(!folderOf('base-01').some((f) => /provisioning\.iso$/i.test(f)), 'the ISO copy is removed');
    // Back to Off for the next tests.
    assert.equal((await runJob(h, 'power', { host, vmId, action: 'stop' })).state, 'succeeded');
  });

  it('power: vm.power failing fails the job with the host message; the state is unchanged', async () => {
    await failing('vm.power');
    const job = await runJob(h, 'power', { host, vmId, action: 'start' });
    expectHostError(job, 'vm.power');
    assert.equal((await vm()).state, 'Off');
  });

  it('update: vm.update failing after a stop-if-needed shutdown starts the VM again', async () => {
    assert.equal((await runJob(h, 'power', { host, vmId, action: 'start' })).state, 'succeeded');
    await new Promise((r) => setTimeout(r, 400)); // the guest OS boots (shutdown goes through it)
    await failing('vm.update');
    const job = await runJob(h, 'update', { host, vmId, changes: { cpuCount: 3 }, stopIfNeeded: true });
    expectHostError(job, 'vm.update');
    const v = await vm();
    assert.equal(v.cpuCount, 2);
    assert.equal(v.state, 'Running', 'started again by the rollback');
  });

  it('disk.create failing leaves no disk and no file; disk.update and disk.delete report the host error', async () => {
    const before = (await vm()).disks.length;
    const filesBefore = folderOf('base-01').length;
    await failing('disk.create');
    expectHostError(await runJob(h, 'disk.create', { host, vmId, sizeGiB: 5, type: 'Fixed' }), 'disk.create');
    assert.equal((await vm()).disks.length, before);
    assert.equal(folderOf('base-01').length, filesBefore);
    const diskId = h.services.inventory.vm(vmId)!.disks[0]!.diskId;
    await failing('disk.update');
    expectHostError(await runJob(h, 'disk.update', { host, vmId, diskId, sizeGiB: 200 }), 'disk.update');
    await failing('disk.delete');
    expectHostError(await runJob(h, 'disk.delete', { host, vmId, diskId, deleteFile: false }), 'disk.delete');
    assert.equal((await vm()).disks.length, before);
  });

  it('nic.create failing adds no adapter; nic.update and nic.delete report the host error', async () => {
    const before = (await vm()).nics.length;
    await failing('nic.create');
    expectHostError(await runJob(h, 'nic.create', { host, vmId, switchName: 'Internal' }), 'nic.create');
    assert.equal((await vm()).nics.length, before);
    const nicId = h.services.inventory.vm(vmId)!.nics[0]!.nicId;
    await failing('nic.update');
    expectHostError(await runJob(h, 'nic.update', { host, vmId, nicId, vlanId: 7 }), 'nic.update');
    assert.equal((await vm()).nics[0]!.vlanId, null);
    await failing('nic.delete');
    expectHostError(await runJob(h, 'nic.delete', { host, vmId, nicId }), 'nic.delete');
    assert.equal((await vm()).nics.length, before);
  });

  it('delete: vm.delete failing keeps the VM whole', async () => {
    await failing('vm.delete');
    const job = await runJob(h, 'delete', { host, vmId, force: true, deleteDisks: true });
    expectHostError(job, 'vm.delete');
    const v = await vm();
    assert.ok(v);
    assert.ok(folderOf('base-01').length > 0);
  });
});
