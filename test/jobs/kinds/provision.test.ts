/**
 * Provisioning end to end against the simulator: Linux and Windows guests configured over KVP,
 * on a standalone host and on a cluster, then everything the job leaves behind checked in the
 * simulator's own model (not in what the job says about itself).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProvisionParams } from '../../../server/src/jobs/kinds/provision.ts';
import { linuxRequest, linuxSecrets } from './requests.ts';
import { explain, filesOn, modelVms, oplog, runJob, startHarness, submit, type Harness } from './harness.ts';

describe('provision', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ hosts: 3, clusters: 1, vmsPerHost: 1 });
  });
  after(async () => h.stop());

  it('provisions a Linux VM on a host: running, applied, IPv4 reported, KVP host items removed, ISO detached', async () => {
    const standalone = h.sim.hosts.find((r) => r.cluster === null)!.name;
    const outcome = await runJob(h, 'provision', linuxRequest('web-01', { host: standalone }, { disks: [{ sizeGiB: 10, type: 'Dynamic' }] }), { secrets: linuxSecrets() });
    assert.equal(outcome.state, 'succeeded', explain(outcome));
    const result = outcome.result as { vmId: string; name: string; host: string; ipv4: string };
    assert.equal(result.host, standalone);
    assert.equal(result.ipv4, '10.0.0.25');
    const vm = (await modelVms(h.sim, standalone)).find((v) => v.vmId === result.vmId)!;
    assert.equal(vm.name, 'web-01');
    assert.equal(vm.state, 'Running');
    assert.equal(vm.notes, 'web tier', 'the job marker is gone from the notes');
    assert.equal(vm.isoPath, null);
    assert.equal(vm.secureBootTemplate, 'MicrosoftUEFICertificateAuthority');
    assert.equal(vm.kvp.guest['aetherv.guest.state'], 'applied');
    assert.equal(vm.kvp.guest['aetherv.guest.ipv4'], '10.0.0.25');
    assert.deepEqual(Object.keys(vm.kvp.host).filter((k) => k.startsWith('aetherv.')), []);
    assert.equal(vm.guestHostname, 'web-01');
    assert.equal(vm.disks.length, 2);
    assert.equal(vm.disks[0]!.type, 'Differencing');
    assert.match(vm.disks[0]!.parentPath ?? '', /Golden Images\\Ubuntu-24\.04\.vhdx$/);
    assert.equal(vm.nics[0]!.switchName, 'External');
    assert.equal(vm.clustered, false);
    assert.ok(!filesOn(h.sim, standalone).some((f) => /LinuxProvisioning\.iso$/i.test(f) && f.includes('web-01')), 'the ISO copy next to the VM is removed');
    assert.equal(h.services.inventory.vm(result.vmId)?.name, 'web-01', 'the inventory knows the new VM');
  });

  it('provisions a clustered Windows VM on a cluster: placed on a node, on shared storage, with the cluster role', async () => {
    const cluster = h.sim.hosts.find((r) => r.cluster !== null)!.cluster!;
    const params: ProvisionParams = {
      name: 'app-01', cluster, image: 'Windows-Server-2022', imageMode: 'full', cpuCount: 4,
      memory: { startupMiB: 4096, dynamic: true, minimumMiB: 1024, maximumMiB: 8192 }, disks: [], nics: [{ switchName: 'External', vlanId: 20 }],
      notes: '', clustered: true, start: true, guest: { hostname: 'app-01', localAdmin: { username: 'opsadmin' } },
    };
    const outcome = await runJob(h, 'provision', params, { secrets: { guestPasswords: { localAdmin: 'S3cure!pass-word' } } });
    assert.equal(outcome.state, 'succeeded', explain(outcome));
    const result = outcome.result as { vmId: string; host: string; ipv4: string };
    assert.ok(h.sim.hosts.some((r) => r.name === result.host && r.cluster === cluster));
    assert.match(result.ipv4, /^\d+\.\d+\.\d+\.\d+$/);
    const vm = (await modelVms(h.sim, result.host)).find((v) => v.vmId === result.vmId)!;
    assert.equal(vm.state, 'Running');
    assert.equal(vm.clustered, true);
    assert.equal(vm.secureBootTemplate, 'MicrosoftWindows');
    assert.equal(vm.memory.dynamic, true);
    assert.equal(vm.memory.maximumBytes, 8192 * 1024 * 1024);
    assert.equal(vm.nics[0]!.vlanId, 20);
    assert.equal(vm.kvp.guest['aetherv.guest.state'], 'applied');
    assert.deepEqual(Object.keys(vm.kvp.host).filter((k) => k.startsWith('aetherv.')), []);
    assert.equal(vm.isoPath, null);
    assert.match(vm.disks[0]!.path, /^C:\\ClusterStorage\\Volume1\\/);
    assert.equal(vm.disks[0]!.type !== 'Differencing', true);
    // Secrets travel encrypted only: the password never appears in any host operation.
    const ops = await oplog(h.sim);
    assert.ok(!JSON.stringify(ops).includes('S3cure!pass-word'));
  });

  for (const [family, image, where] of [['Windows', 'Windows-Server-2022', 'host'], ['Linux', 'Ubuntu-24.04', 'cluster']] as const) {
    it(`provisions a ${family} VM on a ${where}${where === 'cluster' ? ' (clustered)' : ''}`, async () => {
      const node = h.sim.hosts.find((r) => r.cluster !== null)!;
      const target = where === 'host' ? { host: h.sim.hosts.find((r) => r.cluster === null)!.name } : { cluster: node.cluster! };
      const name = `${family.toLowerCase()}-${where}`;
      const params = linuxRequest(name, target, { image, imageMode: 'full', clustered: where === 'cluster', guest: { hostname: name, localAdmin: { username: 'opsadmin' }, network: { ipv4: { address: '10.0.0.25', prefixLength: 24, gateway: '10.0.0.1' } } } });
      const outcome = await runJob(h, 'provision', params, { secrets: { guestPasswords: { localAdmin: 'An0ther!secret' } } });
      assert.equal(outcome.state, 'succeeded', explain(outcome));
      const result = outcome.result as { vmId: string; host: string; ipv4: string };
      assert.equal(result.ipv4, '10.0.0.25');
      const vm = (await modelVms(h.sim, result.host)).find((v) => v.vmId === result.vmId)!;
      assert.equal(vm.state, 'Running');
      assert.equal(vm.kvp.guest['aetherv.guest.state'], 'applied');
      assert.deepEqual(Object.keys(vm.kvp.host).filter((k) => k.startsWith('aetherv.')), []);
      assert.equal(vm.isoPath, null);
      assert.equal(vm.clustered, where === 'cluster');
      assert.equal(vm.guestHostname, name);
    });
  }

  it('one name per cluster: two jobs naming their VM alike on two nodes at once give one VM', async () => {
    const nodes = h.sim.hosts.filter((r) => r.cluster !== null).slice(0, 2).map((r) => r.name);
    assert.equal(nodes.length, 2);
    const jobs = await Promise.all(nodes.map((node) => submit(h, 'provision', linuxRequest('twin-01', { host: node }, { guest: undefined, start: false }))));
    const done = await Promise.all(jobs.map((j) => h.engine.waitFor(j.id, 60_000)));
    assert.deepEqual(done.map((j) => j.state).sort(), ['failed', 'succeeded'], done.map(explain).join('\n'));
    assert.equal(done.find((j) => j.state === 'failed')!.error?.code, 'VM_NAME_TAKEN');
    const twins = (await Promise.all(nodes.map((n) => modelVms(h.sim, n)))).flat().filter((v) => v.name === 'twin-01');
    assert.equal(twins.length, 1);
  });

  it('refuses a name already used on the host, asking the host rather than the cache', async () => {
    const host = h.sim.hosts[0]!.name;
    const existing = (await modelVms(h.sim, host))[0]!;
    const outcome = await runJob(h, 'provision', linuxRequest(existing.name.toUpperCase(), { host }), { secrets: linuxSecrets() });
    assert.equal(outcome.state, 'failed');
    assert.equal(outcome.error?.code, 'VM_NAME_TAKEN');
    assert.match(outcome.error?.message ?? '', /^a VM named .* already exists on/);
  });
});
