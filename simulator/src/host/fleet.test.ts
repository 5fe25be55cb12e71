/** The fleet: deterministic from its seed, clusters share storage, reset restores the seeded estate. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createFleet, type Fleet } from './fleet.ts';
import { fakeArtifacts, must } from './testing.ts';

const fleets: Fleet[] = [];
after(() => Promise.all(fleets.map((f) => f.close())));
const make = (seed: number): Fleet => {
  const f = createFleet({ hosts: 5, vmsPerHost: 6, clusters: 2, seed, timeScale: 0, preinstallAgentFrom: fakeArtifacts() });
  fleets.push(f);
  return f;
};
/** Inventory minus what depends on the wall clock. */
const stable = async (f: Fleet) => Promise.all(f.hosts.map(async (h) => {
  const inv = await must(h, 'inventory.collect', {});
  delete inv.host.time;
  for (const vm of inv.vms) { delete vm.uptimeSeconds; delete vm.creationTime; }
  return inv;
}));

describe('fleet', () => {
  it('is the same estate for the same seed and a different one for another seed', async () => {
    const [a, b, c] = [make(11), make(11), make(12)];
    assert.deepEqual(await stable(a), await stable(b));
    assert.notDeepEqual(await stable(a), await stable(c));
    // Three quarters of the hosts in clusters of at least two nodes, the rest standalone.
    assert.deepEqual(a.hosts.map((h) => [h.name, h.cluster]), [['HV01', 'CLU01'], ['HV02', 'CLU01'], ['HV03', 'CLU02'], ['HV04', 'CLU02'], ['HV05', null]]);
  });

  it('seeds realistic VMs: GUIDs, Hyper-V MACs, running VMs with addresses, memory within the host', async () => {
    const f = make(13);
    for (const h of f.hosts) {
      const inv = await must(h, 'inventory.collect', {});
      assert.equal(inv.vms.length, 6);
      const assigned = inv.vms.reduce((n: number, vm: { memory: { assignedBytes: number } }) => n + vm.memory.assignedBytes, 0);
      assert.ok(assigned + inv.host.memoryFreeBytes <= inv.host.memoryTotalBytes);
      for (const vm of inv.vms) {
        assert.match(vm.nics[0].macAddress, /^00155D/);
        if (vm.state === 'Running') assert.ok(vm.ipAddresses.length > 0 && vm.osName);
        if (vm.state === 'Off') assert.deepEqual([vm.ipAddresses, vm.osName, vm.memory.assignedBytes], [[], null, 0]);
      }
    }
  });

  it('lets the nodes of a cluster see the same shared storage', async () => {
    const f = createFleet({ hosts: 3, vmsPerHost: 0, clusters: 1, seed: 1, timeScale: 0, preinstallAgentFrom: fakeArtifacts() });
    fleets.push(f);
    const [n1, n2] = f.hosts;
    const path = 'C:\\ClusterStorage\\Volume1\\Virtual Machines\\shared\\disk.vhdx';
    await must(n1!, 'image.copy', { image: 'Debian-12', destinationPath: path, mode: 'full' });
    const vm = await must(n2!, 'vm.create', { name: 'shared', path: 'C:\\ClusterStorage\\Volume1\\Virtual Machines', generation: 2, cpuCount: 1, memory: { startupBytes: 1024 ** 3, dynamic: false }, bootDiskPath: path });
    assert.equal(vm.vm.disks[0].path, path);
  });

  it('reset brings back the seeded estate, clears the op log and faults', async () => {
    const f = make(14);
    const before = await stable(f);
    const h = f.hosts[0]!;
    await must(h, 'vm.create', { name: 'extra', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 1, memory: { startupBytes: 1024 ** 3, dynamic: false } });
    h.faults.latencyMs = 5;
    h.up = false;
    f.reset();
    assert.equal(h.up, true);
    assert.equal(h.faults.latencyMs, 0);
    assert.deepEqual(await stable(f), before);
    assert.equal(f.oplog({}).length, f.hosts.length, 'only the inventory calls made after the reset');
    assert.equal(f.host(`${h.name.toLowerCase()}.lab.test`), h);
  });
});
