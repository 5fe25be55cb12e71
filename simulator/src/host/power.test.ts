/** Hyper-V's power state machine: memory admission, guest-dependent shutdown, transitions and their timing. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createFleet, type SimulatedHost } from './fleet.ts';
import { callAgent, fakeArtifacts, must } from './testing.ts';

const GiB = 1024 ** 3;
const fleets: { close(): Promise<void> }[] = [];
after(() => Promise.all(fleets.map((f) => f.close())));

function newHost(timeScale: number): SimulatedHost {
  const fleet = createFleet({ hosts: 1, vmsPerHost: 0, clusters: 0, seed: 3, timeScale, preinstallAgentFrom: fakeArtifacts() });
  fleets.push(fleet);
  return fleet.hosts[0]!;
}

async function createVm(host: SimulatedHost, name: string, startupBytes: number, withOs: boolean): Promise<string> {
  let bootDiskPath: string | undefined;
  if (withOs) bootDiskPath = (await must(host, 'image.copy', { image: 'Debian-12', destinationPath: `C:\\Hyper-V\\Virtual Machines\\${name}\\os.vhdx`, mode: 'differencing' })).path;
  const r = await must(host, 'vm.create', { name, path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 2, memory: { startupBytes, dynamic: false }, ...(bootDiskPath ? { bootDiskPath } : {}) });
  return r.vm.vmId;
}

const power = (host: SimulatedHost, vmId: string, action: string) => callAgent(host, 'vm.power', { vmId, action });

describe('vm.power', () => {
  it('cannot start a VM without free memory, and frees memory when a VM stops', async () => {
    const host = newHost(0);
    const info = await must(host, 'host.info', {});
    const huge = Math.floor((info.memoryTotalBytes * 2) / (2 * 1024 * 1024)) * 2 * 1024 * 1024;
    const tooBig = await createVm(host, 'too-big', huge, false);
    const r = await power(host, tooBig, 'start');
    assert.equal(r.error?.code, 'INSUFFICIENT_MEMORY');
    assert.equal(r.error?.details?.requiredBytes, huge);

    const half = Math.floor((info.memoryFreeBytes * 0.6) / (2 * 1024 * 1024)) * 2 * 1024 * 1024;
    const a = await createVm(host, 'a', half, false);
    const b = await createVm(host, 'b', half, false);
    assert.equal((await power(host, a, 'start')).result.vm.state, 'Running');
    assert.equal((await must(host, 'host.info', {})).memoryFreeBytes, info.memoryFreeBytes - half);
    assert.equal((await power(host, b, 'start')).error?.code, 'INSUFFICIENT_MEMORY');
    assert.equal((await power(host, a, 'save')).result.vm.state, 'Saved');
    assert.equal((await power(host, b, 'start')).result.vm.state, 'Running');
    assert.equal((await power(host, a, 'start')).error?.code, 'INSUFFICIENT_MEMORY', 'restoring a saved VM needs its memory too');
  });

  it('shutdown needs a running guest operating system; stop (turn off) does not', async () => {
    const host = newHost(0.002);
    const blank = await createVm(host, 'blank', 2 * GiB, false);
    await must(host, 'vm.power', { vmId: blank, action: 'start' });
    const r = await power(host, blank, 'shutdown');
    assert.equal(r.error?.code, 'GUEST_UNAVAILABLE');
    assert.equal((await power(host, blank, 'stop')).result.vm.state, 'Off');

    const withOs = await createVm(host, 'with-os', 2 * GiB, true);
    const started = await must(host, 'vm.power', { vmId: withOs, action: 'start' });
    assert.equal(started.vm.osName, null, 'the guest is still booting');
    await new Promise((resolve) => setTimeout(resolve, 80));
    const inv = await must(host, 'inventory.collect', { vmIds: [withOs] });
    assert.equal(inv.vms[0].osName, 'Debian GNU/Linux 12 (bookworm)');
    assert.ok(inv.vms[0].ipAddresses.length === 0, 'no NIC, no address');
    const down = await must(host, 'vm.power', { vmId: withOs, action: 'shutdown' });
    assert.deepEqual([down.previousState, down.vm.state], ['Running', 'Off']);
  });

  it('walks pause, resume, save, restore and reset; refuses transitions Hyper-V refuses', async () => {
    const host = newHost(0);
    const vm = await createVm(host, 'walker', 2 * GiB, true);
    assert.equal((await power(host, vm, 'resume')).error?.details?.currentState, 'Off');
    assert.equal((await power(host, vm, 'pause')).error?.code, 'INVALID_STATE');
    assert.equal((await power(host, vm, 'save')).error?.code, 'INVALID_STATE');
    for (const [action, state] of [['start', 'Running'], ['start', 'Running'], ['pause', 'Paused'], ['resume', 'Running'], ['reset', 'Running'], ['save', 'Saved'], ['start', 'Running'], ['stop', 'Off'], ['stop', 'Off']] as const) {
      const r = await power(host, vm, action);
      assert.ok(r.ok, `${action}: ${JSON.stringify(r.error)}`);
      assert.equal(r.result.vm.state, state, action);
    }
  });

  it('shows the intermediate state while a transition runs and refuses a second one', async () => {
    const host = newHost(0.1); // start takes 400 ms
    const vm = await createVm(host, 'slow', 2 * GiB, false);
    const t0 = Date.now();
    const starting = power(host, vm, 'start');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const inv = await must(host, 'inventory.collect', { vmIds: [vm] });
    assert.equal(inv.vms[0].state, 'Starting');
    const second = await power(host, vm, 'stop');
    assert.equal(second.error?.code, 'INVALID_STATE');
    assert.equal(second.error?.details?.currentState, 'Starting');
    assert.equal((await starting).result.vm.state, 'Running');
    assert.ok(Date.now() - t0 >= 350, 'the transition takes its scaled time');
  });

  it('gives up with DEADLINE_EXCEEDED when the transition outlasts the deadline', async () => {
    const host = newHost(1); // a start takes 4 s
    const vm = await createVm(host, 'stubborn', 2 * GiB, false);
    const t0 = Date.now();
    const r = await callAgent(host, 'vm.power', { vmId: vm, action: 'start' }, { deadlineSeconds: 1 });
    assert.equal(r.error?.code, 'DEADLINE_EXCEEDED');
    assert.equal(r.error?.retryable, true);
    assert.ok(Date.now() - t0 < 2500);
  });
});
