/**
 * Disk and NIC jobs through the real host agent on a seeded VM: the .vhdx files really created,
 * grown and deleted on the host's C: drive; NICs with a static MAC and VLAN.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { modelVms, type ModelVm } from '../jobs/kinds/harness.ts';
import { explain, filesOnDisk, readOnDisk, startRealAgent, type RealAgentOrchestrator } from './support.ts';

const GIB = 1024 ** 3;

describe('real agent: disk and NIC jobs', { timeout: 1_800_000 }, () => {
  let o: RealAgentOrchestrator;
  let host: string;
  let vmId: string;
  const vm = async (): Promise<ModelVm> => (await modelVms(o.sim, host)).find((v) => v.vmId === vmId)!;

  before(async () => {
    o = await startRealAgent({ simulator: { hosts: 1, clusters: 0, vmsPerHost: 1, seed: 1, addressBase: '127.0.64.1' } });
    host = o.sim.hosts[0]!.name;
    await o.services.inventory.refreshAll();
    // Seed 1's first VM: a Running generation 2 VM (disks and NICs hot-plug) in C:\Hyper-V\build-0001.
    const seeded = (await modelVms(o.sim, host)).find((v) => v.name === 'build-0001');
    assert.equal(seeded?.state, 'Running');
    vmId = seeded!.vmId;
  });
  after(async () => { await o?.stop(); });

  it('disks: create writes the .vhdx on disk, update grows it (shrink refused), delete removes the file', { timeout: 900_000 }, async () => {
    const created = await o.run('disk.create', { host, vmId, sizeGiB: 20, type: 'Dynamic' });
    assert.equal(created.state, 'succeeded', explain(created));
    const { diskId, path } = created.result as { diskId: string; path: string };
    assert.ok((await vm()).disks.some((d) => d.path === path));
    assert.ok((await filesOnDisk(o, host)).includes(path), `${path} is on the host's disk`);
    const grown = await o.run('disk.update', { host, vmId, diskId, sizeGiB: 30 });
    assert.equal(grown.state, 'succeeded', explain(grown));
    assert.equal(o.services.inventory.vm(vmId)?.disks.find((d) => d.diskId === diskId)?.sizeBytes, 30 * GIB);
    // The file on disk stands in for the VHDX (the simulator's descriptor) and records its virtual size.
    assert.equal((JSON.parse((await readOnDisk(o, host, path)).toString('utf8')) as { sizeBytes: number }).sizeBytes, 30 * GIB);
    const shrink = await o.run('disk.update', { host, vmId, diskId, sizeGiB: 10 });
    assert.equal(shrink.state, 'failed');
    assert.match(shrink.error?.message ?? '', /can only grow/);
    const removed = await o.run('disk.delete', { host, vmId, diskId, deleteFile: true });
    assert.equal(removed.state, 'succeeded', explain(removed));
    assert.ok(!(await vm()).disks.some((d) => d.path === path));
    assert.ok(!(await filesOnDisk(o, host)).includes(path), 'the file is deleted from disk');
  });

  it('NICs: create with a static MAC and VLAN, change the VLAN, delete', { timeout: 900_000 }, async () => {
    const created = await o.run('nic.create', { host, vmId, switchName: 'Internal', vlanId: 42, macAddress: '00155D0A0B0C', name: 'Backup' });
    assert.equal(created.state, 'succeeded', explain(created));
    const { nicId } = created.result as { nicId: string };
    let nic = (await vm()).nics.find((n) => n.name === 'Backup')!;
    assert.deepEqual([nic.switchName, nic.vlanId, nic.macAddress, nic.dynamicMac], ['Internal', 42, '00155D0A0B0C', false]);
    const changed = await o.run('nic.update', { host, vmId, nicId, vlanId: null });
    assert.equal(changed.state, 'succeeded', explain(changed));
    nic = (await vm()).nics.find((n) => n.name === 'Backup')!;
    assert.equal(nic.vlanId, null);
    const removed = await o.run('nic.delete', { host, vmId, nicId });
    assert.equal(removed.state, 'succeeded', explain(removed));
    assert.ok(!(await vm()).nics.some((n) => n.name === 'Backup'));
  });

});
