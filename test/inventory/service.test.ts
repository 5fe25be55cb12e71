import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { EventBus, type BusEvent } from '../../server/src/events/bus.ts';
import { InventoryService, type InventorySource } from '../../server/src/inventory/service.ts';
import { AppError } from '../../server/src/errors.ts';
import type { InventoryCollectResult, Vm } from '../../server/src/agent/types.generated.ts';

function vm(id: string, name: string, state: Vm['state'] = 'Running'): Vm {
  return {
    vmId: id, name, state, cpuCount: 2, memory: { startupBytes: 2 ** 31, assignedBytes: 2 ** 31, dynamic: false, minimumBytes: 2 ** 29, maximumBytes: 2 ** 32 },
    generation: 2, configurationVersion: '10.0', configurationPath: 'C:\\VMs', osName: null, uptimeSeconds: 10, notes: '', creationTime: '2026-01-01T00:00:00Z',
    ipAddresses: [], disks: [], nics: [], clustered: false, isoPath: null,
  };
}

function result(host: string, cluster: string | null, vms: Vm[]): InventoryCollectResult {
  return {
    host: { name: host.toUpperCase(), fqdn: `${host}.lab`, cluster, cpuCores: 8, logicalProcessors: 16, memoryTotalBytes: 2 ** 36, memoryFreeBytes: 2 ** 35, switches: [], storagePaths: [], images: [], provisioningIsos: [], installDirectory: 'C:\\Program Files\\Aether-V', agentVersion: '0.1.0', osName: 'Windows Server 2022', osVersion: '10.0.20348', psVersion: '5.1', hypervVersion: '10.0', time: new Date().toISOString() },
    vms, warnings: [],
  };
}

class ScriptedSource implements InventorySource {
  readonly state = new Map<string, InventoryCollectResult | Error>();
  calls: { host: string; vmIds?: string[] }[] = [];
  async collect(host: string, params: { vmIds?: string[] }) {
    this.calls.push({ host, ...(params.vmIds ? { vmIds: params.vmIds } : {}) });
    const s = this.state.get(host);
    if (!s) throw new Error('no script');
    if (s instanceof Error) throw s;
    if (params.vmIds) {
      const wanted = new Set(params.vmIds);
      return { ...s, vms: s.vms.filter((v) => wanted.has(v.vmId)), notFound: params.vmIds.filter((id) => !s.vms.some((v) => v.vmId === id)) };
    }
    return s;
  }
}

function setup() {
  const source = new ScriptedSource();
  const bus = new EventBus();
  const events: BusEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const inventory = new InventoryService({ hosts: ['hv1', 'hv2', 'hv3'], source, bus, logger: pino({ level: 'silent' }), laboratory: true, refreshIntervalSeconds: 60 });
  return { source, bus, events, inventory };
}

describe('inventory service', () => {
  it('builds clusters, standalone hosts and VMs from every host', async () => {
    const { source, inventory } = setup();
    source.state.set('hv1', result('hv1', 'clu1', [vm('a', 'web-01'), vm('b', 'db-01', 'Off')]));
    source.state.set('hv2', result('hv2', 'clu1', [vm('c', 'app-01')]));
    source.state.set('hv3', result('hv3', null, []));
    await inventory.refreshAll();
    const snap = inventory.snapshot();
    assert.deepEqual(snap.clusters, [{ name: 'clu1', hosts: ['hv1', 'hv2'], connectedHosts: 2, vmCount: 3 }]);
    assert.deepEqual(snap.standaloneHosts, ['hv3']);
    assert.equal(snap.vms.length, 3);
    assert.equal(inventory.vm('A')?.name, 'web-01', 'VM ids compare case-insensitively');
    assert.equal(inventory.host('hv1')?.facts?.computerName, 'HV1');
    assert.equal(inventory.vm('b')?.cluster, 'clu1');
  });

  it('marks a silent host disconnected, keeps its VMs as stale, and recovers', async () => {
    const { source, inventory, events } = setup();
    for (const h of ['hv1', 'hv2', 'hv3']) source.state.set(h, result(h, null, h === 'hv1' ? [vm('a', 'web-01')] : []));
    await inventory.refreshAll();
    const firstSeen = inventory.vm('a')!.lastSeen;
    source.state.set('hv1', new AppError('REMOTE_CONNECT', 'connect ECONNREFUSED 127.0.10.1:5986'));
    await inventory.refreshAll();
    const host = inventory.host('hv1')!;
    assert.equal(host.connected, false);
    assert.equal(host.lastError?.code, 'REMOTE_CONNECT');
    const stale = inventory.vm('a')!;
    assert.equal(stale.stale, true);
    assert.equal(stale.lastSeen, firstSeen);
    assert.ok(events.some((e) => e.type === 'vm.updated' && (e.data as { changed: string[] }).changed.includes('stale')));
    source.state.set('hv1', result('hv1', null, [vm('a', 'web-01')]));
    await inventory.refreshAll();
    assert.equal(inventory.host('hv1')!.connected, true);
    assert.equal(inventory.host('hv1')!.lastError, null);
    assert.equal(inventory.vm('a')!.stale, false);
  });

  it('publishes vm.added, vm.updated with the changed fields, and vm.removed', async () => {
    const { source, inventory, events } = setup();
    for (const h of ['hv1', 'hv2', 'hv3']) source.state.set(h, result(h, null, []));
    source.state.set('hv1', result('hv1', null, [vm('a', 'web-01', 'Off'), vm('b', 'db-01')]));
    await inventory.refreshAll();
    events.length = 0;
    const next = vm('a', 'web-01', 'Running');
    next.uptimeSeconds = 999; // volatile: not a change worth an event
    source.state.set('hv1', result('hv1', null, [next, vm('c', 'new-01')]));
    await inventory.refreshAll();
    const vmEvents = events.filter((e) => e.topic === 'inventory').map((e) => ({ type: e.type, data: e.data as Record<string, unknown> }));
    const updated = vmEvents.find((e) => e.type === 'vm.updated')!;
    assert.deepEqual(updated.data.changed, ['state']);
    assert.deepEqual(updated.data.previous, { state: 'Off' });
    assert.ok(vmEvents.some((e) => e.type === 'vm.added' && (e.data.vm as Vm).vmId === 'c'));
    assert.ok(vmEvents.some((e) => e.type === 'vm.removed' && e.data.vmId === 'b'));
    assert.equal(vmEvents.length, 3);
    // Nothing changed: no events, and the revision (the ETag) stays.
    const revision = inventory.snapshot().revision;
    events.length = 0;
    await inventory.refreshAll();
    assert.equal(events.filter((e) => e.topic === 'inventory').length, 0);
    assert.equal(inventory.snapshot().revision, revision);
  });

  it('re-reads only the VMs a job changed, and shares concurrent refreshes of a host', async () => {
    const { source, inventory } = setup();
    for (const h of ['hv1', 'hv2', 'hv3']) source.state.set(h, result(h, null, []));
    source.state.set('hv1', result('hv1', null, [vm('a', 'web-01', 'Off'), vm('b', 'db-01')]));
    await inventory.refreshAll();
    source.calls = [];
    source.state.set('hv1', result('hv1', null, [vm('a', 'web-01', 'Running')]));
    await inventory.refreshVms('hv1', ['a', 'b']);
    assert.deepEqual(source.calls, [{ host: 'hv1', vmIds: ['a', 'b'] }]);
    assert.equal(inventory.vm('a')!.state, 'Running');
    assert.equal(inventory.vm('b'), undefined, 'a VM the host no longer has is removed');
    source.calls = [];
    await Promise.all([inventory.refreshHost('hv2'), inventory.refreshHost('hv2'), inventory.refreshHost('hv2')]);
    assert.equal(source.calls.length, 1);
  });
});
