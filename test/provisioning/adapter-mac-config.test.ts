/**
 * Issue 16 item 7c, the orchestrator's side: the configuration a guest receives names its
 * adapter (network.macAddress) with the MAC of the VM's first NIC, read from the host (the real
 * agent client against the simulator), unless the request gave one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withAdapterMac } from '../../server/src/jobs/kinds/guest.ts';
import type { AnyContext } from '../../server/src/jobs/kinds/common.ts';
import { startHarness, type Harness } from '../jobs/kinds/harness.ts';

describe('network.macAddress filled in by the orchestrator', () => {
  let h: Harness;
  let ctx: AnyContext;
  let host: string;
  let vm: { vmId: string; nics: { macAddress: string }[] };
  before(async () => {
    h = await startHarness({ hosts: 1, vmsPerHost: 2 });
    host = h.sim.hosts[0]!.name;
    vm = h.services.inventory.snapshot().vms.find((v) => v.nics.length > 0 && !/^0+$/.test(v.nics[0]!.macAddress))!;
    assert.ok(vm, 'a seeded VM with a NIC');
    // What a job step hands the helper: the job's services, its signal and correlation id.
    ctx = { services: h.jobServices, signal: new AbortController().signal, job: { correlationId: 'test-adapter-mac' } } as unknown as AnyContext;
  });
  after(async () => h.stop());

  it('adds the first NIC\'s MAC to the network settings, keeps everything else', async () => {
    const config = { hostname: 'web-01', network: { ipv4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1' } } };
    assert.deepEqual(await withAdapterMac(ctx, host, vm.vmId, config), { ...config, network: { ...config.network, macAddress: vm.nics[0]!.macAddress } });
    assert.deepEqual(config.network, { ipv4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1' } }, 'the request is not changed');
  });

  it('leaves a given MAC, and a configuration without network settings, as they are', async () => {
    const given = { network: { macAddress: '00155D0A0B0C', dns: { servers: ['10.0.0.2'] } } };
    assert.deepEqual(await withAdapterMac(ctx, host, vm.vmId, given), given);
    const none = { hostname: 'web-01' };
    assert.deepEqual(await withAdapterMac(ctx, host, vm.vmId, none), none);
  });
});
