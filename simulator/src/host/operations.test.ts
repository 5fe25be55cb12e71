/**
 * Every operation of Schemas/agent/operations.json, driven through the real agent command line
 * with JSON on stdin; requests, log lines and results are validated against the schemas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFleet, type Fleet, type SimulatedHost } from './fleet.ts';
import { schemas } from './schemas.ts';
import { callAgent, fakeArtifacts, must } from './testing.ts';

const GiB = 1024 ** 3;
const exercised = new Set<string>();
let fleet: Fleet;
let clustered: SimulatedHost;
let standalone: SimulatedHost;

async function op(host: SimulatedHost, operation: string, params: unknown): Promise<ReturnType<typeof callAgent>> {
  exercised.add(operation);
  return callAgent(host, operation, params);
}
async function ok(host: SimulatedHost, operation: string, params: unknown) {
  exercised.add(operation);
  return must(host, operation, params);
}

before(() => {
  fleet = createFleet({ hosts: 3, vmsPerHost: 3, clusters: 1, seed: 42, timeScale: 0, preinstallAgentFrom: fakeArtifacts('2.0.0') });
  clustered = fleet.hosts.find((h) => h.cluster !== null)!;
  standalone = fleet.hosts.find((h) => h.cluster === null)!;
});
after(() => fleet.close());

describe('agent operations', () => {
  it('host.info and inventory.collect describe the host and its VMs', async () => {
    const info = await ok(clustered, 'host.info', {});
    assert.equal(info.name, clustered.name);
    assert.equal(info.cluster, 'CLU01');
    assert.equal(info.agentVersion, '2.0.0');
    assert.deepEqual(info.switches.map((s: { name: string }) => s.name), ['External', 'Internal']);
    assert.deepEqual(info.images.map((i: { name: string }) => i.name).sort(), ['Debian-12', 'Ubuntu-24.04', 'Windows-Server-2022']);
    const inv = await ok(clustered, 'inventory.collect', {});
    assert.equal(inv.vms.length, 3);
    const one = await ok(clustered, 'inventory.collect', { vmIds: [inv.vms[0].vmId, '00000000-0000-4000-8000-000000000000'] });
    assert.equal(one.vms.length, 1);
    assert.deepEqual(one.notFound, ['00000000-0000-4000-8000-000000000000']);
  });

  it('runs a VM lifecycle: image, create, disks, NICs, ISO, power, update, KVP, cluster role, delete', async () => {
    const folder = 'C:\\ClusterStorage\\Volume1\\Virtual Machines\\app-new';
    const copy = await ok(clustered, 'image.copy', { image: 'Ubuntu-24.04', destinationPath: `${folder}\\os.vhdx`, mode: 'differencing' });
    assert.equal(copy.type, 'Differencing');
    assert.match(copy.parentPath, /Golden Images\\Ubuntu-24\.04\.vhdx$/);
    const exists = await op(clustered, 'image.copy', { image: 'Ubuntu-24.04', destinationPath: `${folder}\\os.vhdx`, mode: 'full' });
    assert.equal(exists.error?.code, 'FILE_EXISTS');
    const missing = await op(clustered, 'image.copy', { image: 'Windows-95', destinationPath: `${folder}\\x.vhdx`, mode: 'full' });
    assert.equal(missing.error?.code, 'IMAGE_NOT_FOUND');

    const created = await ok(clustered, 'vm.create', {
      name: 'app-new', path: 'C:\\ClusterStorage\\Volume1\\Virtual Machines', generation: 2, cpuCount: 2,
      memory: { startupBytes: 4 * GiB, dynamic: true, minimumBytes: 1 * GiB, maximumBytes: 8 * GiB },
      bootDiskPath: copy.path, secureBootTemplate: 'MicrosoftUEFICertificateAuthority', notes: 'created by test',
    });
    const vmId = created.vm.vmId as string;
    assert.equal(created.vm.state, 'Off');
    assert.equal(created.vm.disks.length, 1);
    const dup = await op(clustered, 'vm.create', { name: 'APP-NEW', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 1, memory: { startupBytes: GiB, dynamic: false } });
    assert.equal(dup.error?.code, 'VM_NAME_CONFLICT');

    const data = await ok(clustered, 'disk.create', { vmId, path: `${folder}\\data.vhdx`, newDisk: { sizeBytes: 10 * GiB, type: 'Dynamic' } });
    assert.deepEqual([data.disk.controllerType, data.disk.controllerNumber, data.disk.controllerLocation], ['SCSI', 0, 1]);
    const grown = await ok(clustered, 'disk.update', { vmId, diskId: data.disk.diskId, sizeBytes: 20 * GiB });
    assert.equal(grown.disk.sizeBytes, 20 * GiB);
    const shrink = await op(clustered, 'disk.update', { vmId, diskId: data.disk.diskId, sizeBytes: 5 * GiB });
    assert.equal(shrink.error?.code, 'INVALID_PARAMS');
    const removed = await ok(clustered, 'disk.delete', { vmId, diskId: data.disk.diskId, deleteFile: true });
    assert.equal(removed.fileDeleted, true);
    assert.equal(removed.vm.disks.length, 1);
    const gone = await op(clustered, 'disk.delete', { vmId, diskId: data.disk.diskId });
    assert.equal(gone.error?.code, 'DISK_NOT_FOUND');

    const nic = await ok(clustered, 'nic.create', { vmId, switchName: 'External', vlanId: 100 });
    assert.match(nic.nic.macAddress, /^00155D[0-9A-F]{6}$/);
    assert.equal(nic.nic.vlanId, 100);
    const noSwitch = await op(clustered, 'nic.create', { vmId, switchName: 'Nowhere' });
    assert.equal(noSwitch.error?.code, 'SWITCH_NOT_FOUND');
    const second = await ok(clustered, 'nic.create', { vmId, switchName: 'Internal', name: 'backend', macAddress: '00155D0000AA' });
    assert.equal(second.nic.dynamicMac, false);
    const moved = await ok(clustered, 'nic.update', { vmId, nicId: second.nic.nicId, switchName: 'External', vlanId: null });
    assert.equal(moved.nic.switchName, 'External');
    assert.equal(moved.nic.vlanId, null);
    await ok(clustered, 'nic.delete', { vmId, nicId: second.nic.nicId });
    const noNic = await op(clustered, 'nic.update', { vmId, nicId: second.nic.nicId, name: 'x' });
    assert.equal(noNic.error?.code, 'NIC_NOT_FOUND');

    const iso = await ok(clustered, 'iso.attach', { vmId, isoPath: 'C:\\Program Files\\Aether-V\\WindowsProvisioning.iso' });
    assert.equal(iso.vm.isoPath, `${folder}\\WindowsProvisioning.iso`, 'an installed ISO is copied next to the VM');
    const noIso = await op(clustered, 'iso.attach', { vmId, isoPath: 'C:\\nowhere.iso' });
    assert.equal(noIso.error?.code, 'PATH_NOT_FOUND');
    const detached = await ok(clustered, 'iso.detach', { vmId });
    assert.equal(detached.detached, true);
    assert.equal(detached.vm.isoPath, null);
    assert.equal((await ok(clustered, 'iso.detach', { vmId })).detached, false);
    const copyGone = await op(clustered, 'iso.attach', { vmId, isoPath: `${folder}\\WindowsProvisioning.iso` });
    assert.equal(copyGone.error?.code, 'PATH_NOT_FOUND', 'iso.detach deleted the copy');

    const updated = await ok(clustered, 'vm.update', { vmId, cpuCount: 4, notes: 'changed', memory: { startupBytes: 2 * GiB } });
    assert.equal(updated.vm.cpuCount, 4);
    assert.equal(updated.vm.memory.startupBytes, 2 * GiB);

    const started = await ok(clustered, 'vm.power', { vmId, action: 'start' });
    assert.equal(started.previousState, 'Off');
    assert.equal(started.vm.state, 'Running');
    assert.equal(started.vm.memory.assignedBytes, 2 * GiB);
    const cpuWhileRunning = await op(clustered, 'vm.update', { vmId, cpuCount: 8 });
    assert.equal(cpuWhileRunning.error?.code, 'INVALID_STATE');
    assert.equal(cpuWhileRunning.error?.details?.currentState, 'Running');

    const set = await ok(clustered, 'kvp.set', { vmId, items: [{ key: 'aetherv.version', value: '2.0.0' }, { key: 'note', value: 'x'.repeat(1023) }] });
    assert.deepEqual(set.keys, ['aetherv.version', 'note']);
    // 600 code points pass the schema's maxLength, but they are 1,200 UTF-16 code units: too many for Hyper-V.
    const tooBig = await op(clustered, 'kvp.set', { vmId, items: [{ key: 'k', value: '\u{1F600}'.repeat(600) }] });
    assert.equal(tooBig.error?.code, 'INVALID_PARAMS');
    const read = await ok(clustered, 'kvp.get', { vmId });
    assert.deepEqual(read.items, {}, 'no guest agent: no guest items');
    const rm = await ok(clustered, 'kvp.remove', { vmId, keys: ['note', 'never-set'] });
    assert.deepEqual([rm.removed, rm.missing], [['note'], ['never-set']]);

    const role = await ok(clustered, 'cluster.addVm', { vmId, cluster: 'clu01' });
    assert.equal(role.vm.clustered, true);
    assert.equal(role.roleName, 'app-new');
    const wrong = await op(clustered, 'cluster.addVm', { vmId, cluster: 'OTHER' });
    assert.equal(wrong.error?.code, 'CLUSTER_NOT_FOUND');
    assert.equal((await ok(clustered, 'cluster.removeVm', { vmId })).roleRemoved, true);
    assert.equal((await ok(clustered, 'cluster.removeVm', { vmId })).roleRemoved, false);

    const refused = await op(clustered, 'vm.delete', { vmId });
    assert.equal(refused.error?.code, 'INVALID_STATE');
    const deleted = await ok(clustered, 'vm.delete', { vmId, force: true, deleteDisks: true });
    assert.ok(deleted.deletedFiles.includes(copy.path));
    const after = await op(clustered, 'vm.power', { vmId, action: 'start' });
    assert.equal(after.error?.code, 'VM_NOT_FOUND');
  });

  it('refuses cluster roles on a standalone host and on local storage', async () => {
    const vm = await ok(standalone, 'vm.create', { name: 'solo', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 1, memory: { startupBytes: GiB, dynamic: false } });
    assert.equal((await op(standalone, 'cluster.addVm', { vmId: vm.vm.vmId })).error?.code, 'NOT_CLUSTERED');
    assert.equal((await op(standalone, 'cluster.removeVm', { vmId: vm.vm.vmId })).error?.code, 'NOT_CLUSTERED');
    const local = await ok(clustered, 'vm.create', { name: 'local-only', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 1, memory: { startupBytes: GiB, dynamic: false } });
    const r = await op(clustered, 'cluster.addVm', { vmId: local.vm.vmId });
    assert.equal(r.error?.code, 'STORAGE_NOT_SHARED');
  });

  it('validates params against the schema (INVALID_PARAMS with the schema errors)', async () => {
    const r = await callAgent(standalone, 'vm.power', { vmId: 'not-a-guid', action: 'explode', extra: true }, { checkRequest: false });
    assert.equal(r.error?.code, 'INVALID_PARAMS');
    assert.equal(r.error?.retryable, false);
    const paths = (r.error?.details?.errors as { instancePath: string }[]).map((e) => e.instancePath);
    assert.ok(paths.includes('/vmId') && paths.includes('/action'));
  });

  it('covered every operation in Schemas/agent/operations.json', () => {
    assert.deepEqual([...schemas().operations].filter((o) => !exercised.has(o)), []);
  });
});
