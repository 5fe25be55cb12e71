/**
 * The life of one VM through every job kind, on the real engine against the simulator:
 * initialize, power (with refusals named by state), update (really applied; stop-if-needed),
 * disks, NICs and delete — each checked in the simulator's model.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { explain, filesOn, modelVms, runJob, startHarness, type Harness, type ModelVm } from './harness.ts';
import { linuxRequest } from './requests.ts';

const GIB = 1024 ** 3;

describe('VM lifecycle jobs', () => {
  let h: Harness;
  let host: string;
  let vmId: string;
  const vm = async (): Promise<ModelVm> => (await modelVms(h.sim, host)).find((v) => v.vmId === vmId)!;

  before(async () => {
    h = await startHarness({ hosts: 1, vmsPerHost: 1 });
    host = h.sim.hosts[0]!.name;
    // A VM "created by other means": from the golden image, Off, no guest configuration.
    const made = await runJob(h, 'provision', linuxRequest('life-01', { host }, { guest: undefined, start: false, notes: '' }));
    assert.equal(made.state, 'succeeded', explain(made));
    vmId = (made.result as { vmId: string }).vmId;
  });
  after(async () => h.stop());

  it('initialize configures the guest of an existing VM that is Off', async () => {
    assert.equal((await vm()).state, 'Off');
    const job = await runJob(h, 'initialize', { host, vmId, osFamily: 'linux', guest: { hostname: 'life-01', localAdmin: { username: 'ops' } } }, { secrets: { guestPasswords: { localAdmin: 'Init!Passw0rd' } } });
    assert.equal(job.state, 'succeeded', explain(job));
    assert.match((job.result as { ipv4: string }).ipv4, /^\d+\.\d+\.\d+\.\d+$/);
    const v = await vm();
    assert.equal(v.state, 'Running');
    assert.equal(v.kvp.guest['aetherv.guest.state'], 'applied');
    assert.deepEqual(Object.keys(v.kvp.host).filter((k) => k.startsWith('aetherv.')), []);
    assert.equal(v.isoPath, null);
    assert.ok(!JSON.stringify(job).includes('Init!Passw0rd'), 'the password is nowhere in the job record');
  });

  it('power: refuses what the state does not allow, naming the state; does what it allows', async () => {
    for (const [action, state] of [['pause', 'Paused'], ['resume', 'Running'], ['save', 'Saved']] as const) {
      const job = await runJob(h, 'power', { host, vmId, action });
      assert.equal(job.state, 'succeeded', explain(job));
      assert.equal((await vm()).state, state, action);
    }
    const refused = await runJob(h, 'power', { host, vmId, action: 'pause' });
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, 'VM_STATE_CONFLICT');
    assert.equal(refused.error?.message, 'cannot pause a VM that is Saved');
    assert.equal((await vm()).state, 'Saved');
    const started = await runJob(h, 'power', { host, vmId, action: 'start' });
    assert.equal(started.state, 'succeeded', explain(started));
    assert.equal((await vm()).state, 'Running');
  });

  it('update: a running VM\'s CPU count is refused without stopIfNeeded, and applied with it (started again)', async () => {
    const refused = await runJob(h, 'update', { host, vmId, changes: { cpuCount: 4 }, stopIfNeeded: false });
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, 'VM_STATE_CONFLICT');
    assert.match(refused.error?.message ?? '', /CPU count needs the VM Off; it is Running/);
    assert.equal((await vm()).cpuCount, 2);
    const job = await runJob(h, 'update', { host, vmId, changes: { cpuCount: 4, memory: { startupMiB: 3072 } }, stopIfNeeded: true });
    assert.equal(job.state, 'succeeded', explain(job));
    const v = await vm();
    assert.equal(v.cpuCount, 4);
    assert.equal(v.memory.startupBytes, 3072 * 1024 * 1024);
    assert.equal(v.state, 'Running');
  });

  it('update: name and notes change on a running VM', async () => {
    const notes = 'line one\nline "two" — ünïcödé';
    const job = await runJob(h, 'update', { host, vmId, changes: { name: 'life-02', notes }, stopIfNeeded: false });
    assert.equal(job.state, 'succeeded', explain(job));
    const v = await vm();
    assert.equal(v.name, 'life-02');
    assert.equal(v.notes, notes);
    assert.equal(h.services.inventory.vm(vmId)?.name, 'life-02', 'the inventory re-read the VM');
  });

  it('disks: create, expand, delete with the file', async () => {
    const created = await runJob(h, 'disk.create', { host, vmId, sizeGiB: 20, type: 'Dynamic' });
    assert.equal(created.state, 'succeeded', explain(created));
    const { diskId, path } = created.result as { diskId: string; path: string };
    assert.ok((await vm()).disks.some((d) => d.path === path));
    const grown = await runJob(h, 'disk.update', { host, vmId, diskId, sizeGiB: 30 });
    assert.equal(grown.state, 'succeeded', explain(grown));
    assert.equal(h.services.inventory.vm(vmId)?.disks.find((d) => d.diskId === diskId)?.sizeBytes, 30 * GIB);
    const shrink = await runJob(h, 'disk.update', { host, vmId, diskId, sizeGiB: 10 });
    assert.equal(shrink.state, 'failed');
    assert.match(shrink.error?.message ?? '', /can only grow/);
    const removed = await runJob(h, 'disk.delete', { host, vmId, diskId, deleteFile: true });
    assert.equal(removed.state, 'succeeded', explain(removed));
    assert.ok(!(await vm()).disks.some((d) => d.path === path));
    assert.ok(!filesOn(h.sim, host).includes(path), 'the file is deleted');
  });

  it('NICs: create with a static MAC and VLAN, change the VLAN, delete', async () => {
    const created = await runJob(h, 'nic.create', { host, vmId, switchName: 'Internal', vlanId: 42, macAddress: '00155D0A0B0C', name: 'Backup' });
    assert.equal(created.state, 'succeeded', explain(created));
    const { nicId } = created.result as { nicId: string };
    let nic = (await vm()).nics.find((n) => n.name === 'Backup')!;
    assert.deepEqual([nic.switchName, nic.vlanId, nic.macAddress, nic.dynamicMac], ['Internal', 42, '00155D0A0B0C', false]);
    const changed = await runJob(h, 'nic.update', { host, vmId, nicId, vlanId: null });
    assert.equal(changed.state, 'succeeded', explain(changed));
    nic = (await vm()).nics.find((n) => n.name === 'Backup')!;
    assert.equal(nic.vlanId, null);
    const removed = await runJob(h, 'nic.delete', { host, vmId, nicId });
    assert.equal(removed.state, 'succeeded', explain(removed));
    assert.ok(!(await vm()).nics.some((n) => n.name === 'Backup'));
  });

  it('delete: refuses a running VM without force; with force removes the VM, its disks and its folder', async () => {
    const refused = await runJob(h, 'delete', { host, vmId, force: false, deleteDisks: true });
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, 'VM_STATE_CONFLICT');
    assert.match(refused.error?.message ?? '', /Running without force=true/);
    const folderFiles = () => filesOn(h.sim, host).filter((f) => f.toLowerCase().startsWith('c:\\hyper-v\\life-01\\'));
    assert.ok(folderFiles().length > 0);
    const job = await runJob(h, 'delete', { host, vmId, force: true, deleteDisks: true });
    assert.equal(job.state, 'succeeded', explain(job));
    assert.equal(await vm(), undefined);
    assert.deepEqual(folderFiles(), []);
    assert.equal(h.services.inventory.vm(vmId), undefined);
  });
});
