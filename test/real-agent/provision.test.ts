/**
 * Provisioning through the real host agent on standalone hosts, two VMs at once: a Linux VM
 * configured by the real Linux guest agent, and a Windows VM; each checked in the simulator's
 * model and on the host's C: drive on disk. (A cluster: cluster.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linuxRequest } from '../jobs/kinds/requests.ts';
import { modelVms, oplog, type ModelVm } from '../jobs/kinds/harness.ts';
import type { JobView } from '../../server/src/jobs/types.ts';
import { explain, filesOnDisk, startRealAgent, type RealAgentOrchestrator } from './support.ts';


type Guest = { kind: string } | null;
const guestOf = (vm: ModelVm): Guest => (vm as unknown as { guest: Guest }).guest;

describe('real agent: provisioning Linux and Windows VMs on hosts', { timeout: 1_800_000 }, () => {
  let o: RealAgentOrchestrator;
  let linuxHost: string;
  let windowsHost: string;
  const jobs: Record<'linux' | 'windows', Promise<JobView>> = {} as never;

  before(async () => {
    o = await startRealAgent({ simulator: { hosts: 2, clusters: 0, vmsPerHost: 0, addressBase: '127.0.62.1' } });
    [linuxHost, windowsHost] = o.sim.hosts.map((r) => r.name) as [string, string];
    await o.services.inventory.refreshAll();
    // Both at once, on two hosts: each job's pwsh calls overlap the other's.
    jobs.linux = o.run('provision', linuxRequest('web-01', { host: linuxHost }, { disks: [{ sizeGiB: 10, type: 'Dynamic' }] }));
    jobs.windows = o.run('provision', {
      name: 'app-01', host: windowsHost, image: 'Windows-Server-2022', imageMode: 'full', cpuCount: 2,
      memory: { startupMiB: 2048, dynamic: true, minimumMiB: 1024, maximumMiB: 4096 }, disks: [], nics: [{ switchName: 'External', vlanId: 20 }],
      notes: '', clustered: false, start: true, guest: { hostname: 'app-01', localAdmin: { username: 'opsadmin' } },
    }, { secrets: { guestPasswords: { localAdmin: 'S3cure!pass-word' } } });
    // Each test awaits its own job; a failure must not leave the other promises unobserved.
    for (const job of Object.values(jobs)) job.catch(() => undefined);
  });
  after(async () => { await o?.stop(); });

  it('a Linux VM on a host: configured by the real Linux guest agent over KVP, files on the host\'s disk', { timeout: 900_000 }, async () => {
    const job = await jobs.linux;
    assert.equal(job.state, 'succeeded', explain(job));
    const result = job.result as { vmId: string; host: string; ipv4: string };
    assert.deepEqual([result.host, result.ipv4], [linuxHost, '10.0.0.25']);
    const vm = (await modelVms(o.sim, linuxHost)).find((v) => v.vmId === result.vmId)!;
    assert.equal(vm.state, 'Running');
    assert.equal(guestOf(vm)?.kind, 'linux-agent', 'the real Linux guest agent configured it');
    assert.equal(vm.kvp.guest['aetherv.guest.state'], 'applied');
    assert.deepEqual(Object.keys(vm.kvp.host).filter((k) => k.startsWith('aetherv.')), [], 'the agent removed its KVP items');
    assert.equal(vm.guestHostname, 'web-01');
    assert.equal(vm.isoPath, null);
    assert.equal(vm.disks.length, 2);
    assert.equal(vm.disks[0]!.type, 'Differencing');
    // What the agent wrote is on the host's disk: the differencing disk, the data disk, the VM's
    // configuration; the provisioning ISO copy next to the VM is gone again.
    const files = await filesOnDisk(o, linuxHost);
    for (const d of vm.disks) assert.ok(files.includes(d.path), `${d.path} is on ${linuxHost}'s disk`);
    assert.ok(files.some((f) => f.endsWith(`\\Virtual Machines\\${vm.vmId.toUpperCase()}.vmcx`)), 'the VM configuration file');
    assert.deepEqual(files.filter((f) => /Provisioning\.iso$/i.test(f) && /web-01/i.test(f)), []);
    assert.equal(o.services.inventory.vm(result.vmId)?.name, 'web-01');
  });

  it('a Windows VM: configured over KVP, password never in a host operation', { timeout: 900_000 }, async () => {
    const job = await jobs.windows;
    assert.equal(job.state, 'succeeded', explain(job));
    const result = job.result as { vmId: string; host: string };
    const vm = (await modelVms(o.sim, result.host)).find((v) => v.vmId === result.vmId)!;
    assert.equal(vm.state, 'Running');
    assert.equal(vm.secureBootTemplate, 'MicrosoftWindows');
    assert.equal(vm.memory.maximumBytes, 4096 * 1024 * 1024);
    assert.equal(vm.nics[0]!.vlanId, 20);
    assert.equal(vm.kvp.guest['aetherv.guest.state'], 'applied');
    assert.equal(vm.isoPath, null);
    assert.ok((await filesOnDisk(o, result.host)).includes(vm.disks[0]!.path));
    assert.ok(!JSON.stringify(await oplog(o.sim)).includes('S3cure!pass-word'));
  });

});
