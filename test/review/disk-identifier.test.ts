/**
 * Issue 16 item 7e: a full image.copy must not keep the golden image's disk identifier, since
 * Hyper-V refuses to attach a disk whose identifier is already attached on the host. The TS
 * simulator refuses such an attach (disk.create of an existing file, vm.create's boot disk) and
 * its image.copy gives every copy its own identifier, as CopyImage.ps1 now does with Set-VHD.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFleet, type Fleet, type SimulatedHost } from '../../simulator/src/host/fleet.ts';
import { callAgent, fakeArtifacts, must } from '../../simulator/src/host/testing.ts';
import { fileStoreFor, type HostModel } from '../../simulator/src/host/model.ts';
import type { VhdxFile } from '../../simulator/src/host/files.ts';

const GiB = 1024 ** 3;

describe('disk identifiers', () => {
  let fleet: Fleet;
  let host: SimulatedHost;
  let model: HostModel;
  const file = (path: string) => fileStoreFor(model, path).get(path) as VhdxFile | undefined;
  before(() => {
    fleet = createFleet({ hosts: 1, vmsPerHost: 0, clusters: 0, seed: 7, timeScale: 0, preinstallAgentFrom: fakeArtifacts('2.0.0') });
    host = fleet.hosts[0]!;
    // The host model behind the agent endpoint (the same object the operations change).
    model = (fleet.host(host.name) as unknown as { state: HostModel }).state;
    // The golden image has an identifier, as every real VHDX does.
    file(`${model.imagesPath}\\Ubuntu-24.04.vhdx`)!.diskIdentifier = 'A5E1C0DE-0000-4000-8000-000000000001';
  });
  after(() => fleet.close());

  it('two full copies of one image get identifiers of their own and attach to one host side by side', async () => {
    const a = 'C:\\Hyper-V\\Virtual Machines\\web-01\\web-01.vhdx';
    const b = 'C:\\Hyper-V\\Virtual Machines\\web-02\\web-02.vhdx';
    await must(host, 'image.copy', { image: 'Ubuntu-24.04', destinationPath: a, mode: 'full' });
    await must(host, 'image.copy', { image: 'Ubuntu-24.04', destinationPath: b, mode: 'full' });
    const ids = [file(a)?.diskIdentifier, file(b)?.diskIdentifier];
    assert.ok(ids.every((id) => typeof id === 'string' && id !== 'A5E1C0DE-0000-4000-8000-000000000001'), `identifiers ${ids.join(', ')}`);
    assert.notEqual(ids[0], ids[1]);
    const memory = { startupBytes: 2 * GiB, dynamic: false };
    await must(host, 'vm.create', { name: 'web-01', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 2, memory, bootDiskPath: a });
    await must(host, 'vm.create', { name: 'web-02', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 2, memory, bootDiskPath: b });
  });

  it('a disk with the identifier of an attached one (a byte copy) is refused, as boot disk and as data disk', async () => {
    const attached = 'C:\\Hyper-V\\Virtual Machines\\web-01\\web-01.vhdx';
    const twin = 'C:\\Hyper-V\\Virtual Machines\\web-03\\copy-of-web-01.vhdx';
    fileStoreFor(model, twin).put({ ...file(attached)!, path: twin });
    const memory = { startupBytes: 2 * GiB, dynamic: false };
    const boot = await callAgent(host, 'vm.create', { name: 'web-03', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 2, memory, bootDiskPath: twin });
    assert.equal(boot.error?.code, 'FILE_IN_USE');
    assert.match(boot.error?.message ?? '', /disk identifier of .*web-01\.vhdx/);
    const vm = await must(host, 'vm.create', { name: 'web-04', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 2, memory });
    const data = await callAgent(host, 'disk.create', { vmId: vm.vm.vmId, path: twin });
    assert.equal(data.error?.code, 'FILE_IN_USE');
    // Once the identifier is its own (what Set-VHD -ResetDiskIdentifier does), it attaches.
    file(twin)!.diskIdentifier = 'A5E1C0DE-0000-4000-8000-000000000002';
    await must(host, 'disk.create', { vmId: vm.vm.vmId, path: twin });
  });
});
