/**
 * Behaviour the simulator shares with the PowerShell agent on real Hyper-V, where the two were
 * compared operation by operation: controller slots by generation, no hot-added DVD drive,
 * startup memory fixed while running, what vm.delete and disk.delete may remove.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFleet, type Fleet, type SimulatedHost } from './fleet.ts';
import { callAgent, fakeArtifacts, must } from './testing.ts';

const GiB = 1024 ** 3;
const LOCAL = 'C:\\Hyper-V\\Virtual Machines';
let fleet: Fleet;
let host: SimulatedHost;
let clustered: SimulatedHost;

before(() => {
  fleet = createFleet({ hosts: 3, vmsPerHost: 0, clusters: 1, seed: 7, timeScale: 0, preinstallAgentFrom: fakeArtifacts('2.0.0') });
  host = fleet.hosts.find((h) => h.cluster === null)!;
  clustered = fleet.hosts.find((h) => h.cluster !== null)!;
});
after(() => fleet.close());

async function createVm(name: string, generation: 1 | 2, extra: Record<string, unknown> = {}, on = host): Promise<string> {
  const r = await must(on, 'vm.create', { name, path: LOCAL, generation, cpuCount: 1, memory: { startupBytes: GiB, dynamic: false }, ...extra });
  return r.vm.vmId as string;
}

describe('agent fidelity', () => {
  it('places disks by generation: IDE only on generation 1, SCSI controller 0 only on generation 2', async () => {
    const image = await must(host, 'image.copy', { image: 'Debian-12', destinationPath: `${LOCAL}\\old\\os.vhdx`, mode: 'differencing' });
    const gen1 = await must(host, 'vm.create', { name: 'old', path: LOCAL, generation: 1, cpuCount: 1, memory: { startupBytes: GiB, dynamic: false }, bootDiskPath: image.path });
    assert.deepEqual(gen1.vm.disks.map((d: { controllerType: string }) => d.controllerType), ['IDE'], 'generation 1 boots from IDE 0:0');
    const vmId = gen1.vm.vmId as string;
    const data = await must(host, 'disk.create', { vmId, path: `${LOCAL}\\old\\data.vhdx`, newDisk: { sizeBytes: GiB, type: 'Dynamic' } });
    assert.deepEqual([data.disk.controllerType, data.disk.controllerNumber, data.disk.controllerLocation], ['IDE', 0, 1]);
    const scsi = await callAgent(host, 'disk.create', { vmId, path: `${LOCAL}\\old\\s.vhdx`, newDisk: { sizeBytes: GiB, type: 'Dynamic' }, controllerType: 'SCSI' });
    assert.equal(scsi.error?.code, 'CONTROLLER_LOCATION_IN_USE');

    const gen2 = await createVm('new', 2);
    const ide = await callAgent(host, 'disk.create', { vmId: gen2, path: `${LOCAL}\\new\\i.vhdx`, newDisk: { sizeBytes: GiB, type: 'Dynamic' }, controllerType: 'IDE' });
    assert.equal(ide.error?.code, 'CONTROLLER_LOCATION_IN_USE');
    const second = await callAgent(host, 'disk.create', { vmId: gen2, path: `${LOCAL}\\new\\c1.vhdx`, newDisk: { sizeBytes: GiB, type: 'Dynamic' }, controllerNumber: 1 });
    assert.equal(second.error?.code, 'CONTROLLER_LOCATION_IN_USE', 'New-VM creates one SCSI controller');
  });

  it('refuses to hot-add a DVD drive but changes the media of an existing one while running', async () => {
    const vmId = await createVm('dvd', 2);
    await must(host, 'vm.power', { vmId, action: 'start' });
    const iso = 'C:\\Program Files\\Aether-V\\LinuxProvisioning.iso';
    const refused = await callAgent(host, 'iso.attach', { vmId, isoPath: iso });
    assert.equal(refused.error?.code, 'INVALID_STATE');
    assert.equal(refused.error?.details?.currentState, 'Running');
    await must(host, 'vm.power', { vmId, action: 'stop' });
    await must(host, 'iso.attach', { vmId, isoPath: iso });
    await must(host, 'iso.detach', { vmId });
    await must(host, 'vm.power', { vmId, action: 'start' });
    const again = await must(host, 'iso.attach', { vmId, isoPath: iso });
    assert.match(again.vm.isoPath, /LinuxProvisioning\.iso$/);
  });

  it('keeps startup memory while running; the dynamic range may change', async () => {
    const vmId = await createVm('mem', 2, { memory: { startupBytes: 2 * GiB, dynamic: true, minimumBytes: GiB, maximumBytes: 4 * GiB } });
    await must(host, 'vm.power', { vmId, action: 'start' });
    const startup = await callAgent(host, 'vm.update', { vmId, memory: { startupBytes: 3 * GiB } });
    assert.equal(startup.error?.code, 'INVALID_STATE');
    const range = await must(host, 'vm.update', { vmId, memory: { maximumBytes: 8 * GiB } });
    assert.equal(range.vm.memory.maximumBytes, 8 * GiB);
    const unchanged = await callAgent(host, 'vm.update', { vmId, memory: { startupBytes: 2 * GiB, dynamic: true } });
    assert.equal(unchanged.error, undefined, 'unchanged values passed along are no change');
    const staticVm = await createVm('mem-static', 2);
    await must(host, 'vm.power', { vmId: staticVm, action: 'start' });
    assert.equal((await callAgent(host, 'vm.update', { vmId: staticVm, memory: { startupBytes: GiB, dynamic: false } })).error, undefined);
    assert.equal((await callAgent(host, 'vm.update', { vmId: staticVm, memory: { dynamic: true } })).error?.code, 'INVALID_STATE');
    const sameName = await callAgent(host, 'vm.update', { vmId, name: 'MEM' });
    assert.equal(sameName.error, undefined, 'renaming to a different case of its own name is no conflict');
  });

  it('deletes a Saved VM without force; keeps files it did not make and the golden image', async () => {
    const folder = `${LOCAL}\\files`;
    const os = await must(host, 'image.copy', { image: 'Ubuntu-24.04', destinationPath: `${folder}\\os.vhdx`, mode: 'differencing' });
    const vm = await must(host, 'vm.create', { name: 'files', path: LOCAL, generation: 2, cpuCount: 1, memory: { startupBytes: GiB, dynamic: false }, bootDiskPath: os.path });
    const vmId = vm.vm.vmId as string;
    const extra = await must(host, 'disk.create', { vmId, path: `${folder}\\keep.vhdx`, newDisk: { sizeBytes: GiB, type: 'Dynamic' } });
    await must(host, 'disk.delete', { vmId, diskId: extra.disk.diskId, deleteFile: false });
    await must(host, 'vm.power', { vmId, action: 'start' });
    await must(host, 'vm.power', { vmId, action: 'save' });
    const deleted = await must(host, 'vm.delete', { vmId, deleteDisks: true });
    assert.deepEqual(deleted.deletedFiles, [os.path], 'the folder stays while keep.vhdx is in it');
    const reuse = await createVm('reuse', 2);
    assert.ok((await must(host, 'disk.create', { vmId: reuse, path: `${folder}\\keep.vhdx` })).disk, 'keep.vhdx survived');
    assert.ok((await must(host, 'image.copy', { image: 'Ubuntu-24.04', destinationPath: `${LOCAL}\\x\\os.vhdx`, mode: 'differencing' })).parentPath, 'golden image survived');
  });

  it('refuses to delete the parent of an attached differencing disk before detaching it', async () => {
    const child = await must(host, 'image.copy', { image: 'Debian-12', destinationPath: `${LOCAL}\\chain\\os.vhdx`, mode: 'differencing' });
    await must(host, 'vm.create', { name: 'chain', path: LOCAL, generation: 2, cpuCount: 1, memory: { startupBytes: GiB, dynamic: false }, bootDiskPath: child.path });
    // Another VM with the golden image itself attached: deleting that file would break the child.
    const holder = await createVm('holder', 2);
    const parent = await must(host, 'disk.create', { vmId: holder, path: child.parentPath });
    const refused = await callAgent(host, 'disk.delete', { vmId: holder, diskId: parent.disk.diskId, deleteFile: true });
    assert.equal(refused.error?.code, 'FILE_IN_USE');
    const still = await must(host, 'inventory.collect', { vmIds: [holder] });
    assert.equal(still.vms[0].disks.length, 1, 'nothing was detached');
    const detached = await must(host, 'disk.delete', { vmId: holder, diskId: parent.disk.diskId });
    assert.equal(detached.fileDeleted, false);
  });

  it('lists every local file, the ISO included, in STORAGE_NOT_SHARED', async () => {
    const vmId = await createVm('not-shared', 2, {}, clustered);
    await must(clustered, 'iso.attach', { vmId, isoPath: 'C:\\Program Files\\Aether-V\\WindowsProvisioning.iso' });
    const r = await callAgent(clustered, 'cluster.addVm', { vmId });
    assert.equal(r.error?.code, 'STORAGE_NOT_SHARED');
    const paths = r.error?.details?.paths as string[];
    assert.equal(paths.length, 2);
    assert.ok(paths.some((p) => /WindowsProvisioning\.iso$/.test(p)));
  });
});
