/**
 * A VM of the seeded estate (created "by other means", Running, its files on the host's C:
 * drive) through the real host agent: turned off and initialized (KVP handshake with the real
 * Linux guest agent), then deleted with its disks — checked in the simulator's model, and the
 * delete on disk. (Power actions and updates: power.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { modelVms, type ModelVm } from '../jobs/kinds/harness.ts';
import { explain, filesOnDisk, startRealAgent, type RealAgentOrchestrator } from './support.ts';

describe('real agent: initialize and delete', { timeout: 1_800_000 }, () => {
  let o: RealAgentOrchestrator;
  let host: string;
  let vmId: string;
  const vm = async (): Promise<ModelVm | undefined> => (await modelVms(o.sim, host)).find((v) => v.vmId === vmId);

  before(async () => {
    o = await startRealAgent({ simulator: { hosts: 1, clusters: 0, vmsPerHost: 2, seed: 1, addressBase: '127.0.63.1' } });
    host = o.sim.hosts[0]!.name;
    await o.services.inventory.refreshAll();
    // Seed 1's second VM: a Running generation 2 Debian VM in C:\Hyper-V\app-0002.
    const seeded = (await modelVms(o.sim, host)).find((v) => v.name === 'app-0002');
    assert.equal(seeded?.state, 'Running');
    vmId = seeded!.vmId;
  });
  after(async () => { await o?.stop(); });

  it('initialize configures the guest of the VM, turned off first (KVP set, get, remove)', { timeout: 900_000 }, async () => {
    const off = await o.run('power', { host, vmId, action: 'stop' });
    assert.equal(off.state, 'succeeded', explain(off));
    assert.equal((await vm())!.state, 'Off');
    const job = await o.run('initialize', { host, vmId, osFamily: 'linux', guest: { hostname: 'life-01', localAdmin: { username: 'ops' } } }, { secrets: { guestPasswords: { localAdmin: 'Init!Passw0rd' } } });
    assert.equal(job.state, 'succeeded', explain(job));
    assert.match((job.result as { ipv4: string }).ipv4, /^\d+\.\d+\.\d+\.\d+$/);
    const v = (await vm())!;
    assert.equal(v.state, 'Running');
    assert.equal(v.kvp.guest['aetherv.guest.state'], 'applied');
    assert.equal(v.guestHostname, 'life-01');
    assert.deepEqual(Object.keys(v.kvp.host).filter((k) => k.startsWith('aetherv.')), []);
    assert.equal(v.isoPath, null);
    assert.ok(!JSON.stringify(job).includes('Init!Passw0rd'), 'the password is nowhere in the job record');
  });

  it('delete: refused while Running without force; with force the VM, its disks and its folder leave the disk', { timeout: 900_000 }, async () => {
    const refused = await o.run('delete', { host, vmId, force: false, deleteDisks: true });
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, 'VM_STATE_CONFLICT');
    const folder = (files: string[]) => files.filter((f) => f.toLowerCase().startsWith('c:\\hyper-v\\app-0002\\'));
    const disks = (await vm())!.disks.map((d) => d.path);
    assert.ok(folder(await filesOnDisk(o, host)).length > 0, 'the VM folder is on disk first');
    const job = await o.run('delete', { host, vmId, force: true, deleteDisks: true });
    assert.equal(job.state, 'succeeded', explain(job));
    assert.equal(await vm(), undefined);
    const files = await filesOnDisk(o, host);
    assert.deepEqual(folder(files), []);
    for (const d of disks) assert.ok(!files.includes(d), `${d} deleted`);
    assert.ok(!files.some((f) => f.toUpperCase().endsWith(`\\${vmId.toUpperCase()}.VMCX`)), 'the configuration file is gone');
    assert.equal(o.services.inventory.vm(vmId), undefined);
  });
});
