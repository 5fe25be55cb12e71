/**
 * Inventory through the real host agent (host.info and inventory.collect in pwsh, Hyper-V and
 * cluster cmdlets served by the model): hosts and VMs as the HTTP API serves them match the
 * simulator's model, and a VM started behind the orchestrator's back — by another client, through
 * the real agent too — is seen after a refresh, on the bus and in the API.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentClient } from '../../server/src/agent/client.ts';
import type { Vm } from '../../server/src/agent/types.generated.ts';
import type { BusEvent } from '../../server/src/events/bus.ts';
import { TransportPool } from '../../server/src/remoting/pool.ts';
import { createTransport } from '../../server/src/remoting/index.ts';
import { control, simulatorTarget, testArtifacts } from '../support/orchestrator.ts';
import { startRealAgent, type RealAgentOrchestrator } from './support.ts';

interface ModelJson { host: { cluster: string | null }; vms: Vm[] }
interface ApiInventory {
  hosts: { name: string; connected: boolean; cluster: string | null; agentVersion: string | null }[];
  vms: (Vm & { host: string; stale: boolean })[];
  clusters: { name: string; hosts: string[] }[];
}

describe('real agent: inventory', { timeout: 1_800_000 }, () => {
  let o: RealAgentOrchestrator;
  let version: string;
  const events: BusEvent[] = [];
  before(async () => {
    version = readFileSync(join(await testArtifacts(), 'version'), 'utf8').trim();
    o = await startRealAgent({ simulator: { hosts: 3, clusters: 1, vmsPerHost: 2, seed: 7, addressBase: '127.0.65.1' }, jobs: false });
    o.services.bus.subscribe((e) => events.push(e));
    await o.services.inventory.refreshAll();
  });
  after(async () => { await o?.stop(); });

  it('hosts and VMs in the API match the model: states, disks, NICs, clusters, agent version', { timeout: 900_000 }, async () => {
    const inv = await (await fetch(`${o.url}/api/v1/inventory`)).json() as ApiInventory;
    assert.equal(inv.hosts.length, 3);
    let total = 0;
    for (const row of o.sim.hosts) {
      const h = inv.hosts.find((x) => x.name === row.name)!;
      assert.ok(h.connected, `${row.name} connected`);
      assert.equal(h.agentVersion, version, 'the version file the real agent read from its install folder');
      const model = await control(o.sim, 'GET', `/hosts/${row.name}/model`) as ModelJson;
      assert.equal(h.cluster, model.host.cluster);
      total += model.vms.length;
      const ours = new Map(inv.vms.filter((v) => v.host === row.name).map((v) => [v.vmId, v]));
      assert.equal(ours.size, model.vms.length, `VM count of ${row.name}`);
      for (const vm of model.vms) {
        const seen = ours.get(vm.vmId);
        assert.ok(seen, `${vm.name} on ${row.name}`);
        assert.deepEqual([seen.name, seen.state, seen.clustered, seen.stale], [vm.name, vm.state, vm.clustered, false]);
        assert.deepEqual(seen.disks, vm.disks);
        assert.deepEqual(seen.nics, vm.nics);
        assert.deepEqual(seen.ipAddresses, vm.ipAddresses);
      }
    }
    assert.equal(inv.vms.length, total);
    assert.ok(total >= 6);
    const clustered = o.sim.hosts.filter((r) => r.cluster !== null).map((r) => r.name).sort();
    assert.deepEqual(inv.clusters.map((c) => [c.name, [...c.hosts].sort()]), [[o.sim.hosts.find((r) => r.cluster)!.cluster, clustered]]);
  });

  it('a VM started behind the orchestrator\'s back is seen after a refresh', { timeout: 900_000 }, async () => {
    const host = o.sim.hosts.find((r) => r.cluster === null)!.name;
    const target = (await control(o.sim, 'GET', `/hosts/${host}/model`) as ModelJson).vms[0]!;
    const action = target.state === 'Off' ? 'start' : 'stop';
    const expected = action === 'start' ? 'Running' : 'Off';
    // Another administrator's client: its own WinRM connection, the same real agent on the host.
    const t = simulatorTarget(o.sim);
    const pool = new TransportPool(t.remoting, { resolveAddress: t.resolveAddress, factory: (h, _s, opts) => createTransport(h, t.settingsFor!(h), opts) });
    try {
      await new AgentClient({ transports: pool, retry: { retries: 0 } }).vmPower(host, { vmId: target.vmId, action });
    } finally {
      await pool.close();
    }
    assert.notEqual(o.services.inventory.vm(target.vmId)?.state, expected, 'not seen before the refresh');
    events.length = 0;
    await (await fetch(`${o.url}/api/v1/hosts/${host}/refresh`, { method: 'POST' })).json();
    const seen = await (await fetch(`${o.url}/api/v1/vms/${target.vmId}`)).json() as Vm;
    assert.equal(seen.state, expected);
    const updated = events.find((e) => e.type === 'vm.updated' && (e.data as { vm: Vm }).vm.vmId === target.vmId);
    assert.ok(updated, 'a vm.updated event');
    assert.ok((updated.data as { changed: string[] }).changed.includes('state'));
  });
});
