import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startTestOrchestrator, testArtifacts, control, type TestOrchestrator } from '../support/orchestrator.ts';
import { AgentClient } from '../../server/src/agent/client.ts';
import { TransportPool } from '../../server/src/remoting/pool.ts';
import { createTransport } from '../../server/src/remoting/index.ts';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings } from '../../server/src/remoting/settings.ts';
import type { Vm } from '../../server/src/agent/types.generated.ts';
import { waitUntil } from '../support/wait.ts';

const waitFor = (check: () => boolean) => waitUntil(check, 20_000, 'the expected WebSocket messages');

interface ModelJson { host: { cluster: string | null }; vms: Vm[] }

/** Another administrator acting on the hosts directly, not through the orchestrator. */
function sideChannel(o: TestOrchestrator): { client: AgentClient; pool: TransportPool } {
  const base: RemotingSettings = {
    transport: 'winrm', connectTimeoutMs: 5000, ssh: { ...DEFAULT_SSH },
    winrm: { ...DEFAULT_WINRM, auth: 'basic', useTls: true, username: o.sim.credentials.username, password: o.sim.credentials.password, caFile: o.sim.credentials.caFile, delegate: false },
  };
  const row = (h: string) => o.sim.hosts.find((x) => x.name === h)!;
  const pool = new TransportPool(base, { resolveAddress: (h) => row(h).address, factory: (h, s, opts) => createTransport(h, { ...s, winrm: { ...s.winrm, port: row(h).winrmHttpsPort } }, opts) });
  return { client: new AgentClient({ transports: pool }), pool };
}

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, body: res.status === 304 ? null : await res.json() as Record<string, unknown> };
}

describe('inventory against 20 simulated hosts × 25 VMs', { timeout: 240_000 }, () => {
  let o: TestOrchestrator;
  before(async () => {
    o = await startTestOrchestrator({ simulator: { hosts: 20, vmsPerHost: 25, clusters: 3, seed: 7, addressBase: '127.0.41.1', preinstallAgentFrom: await testArtifacts() } });
    await o.services.inventory.refreshAll();
  });
  after(async () => { await o?.stop(); });

  it('matches the simulator model exactly: counts, states, IPs, disks, NICs, clusters', async () => {
    const inv = (await json(`${o.url}/api/v1/inventory`)).body as { hosts: { name: string; connected: boolean; cluster: string | null }[]; vms: (Vm & { host: string; stale: boolean })[]; clusters: { name: string; hosts: string[] }[]; standaloneHosts: string[] };
    assert.equal(inv.hosts.length, 20);
    assert.ok(inv.hosts.every((h) => h.connected));
    let total = 0;
    const clusterOf = new Map<string, string | null>();
    for (const row of o.sim.hosts) {
      const model = await control(o.sim, 'GET', `/hosts/${row.name}/model`) as ModelJson;
      clusterOf.set(row.name, model.host.cluster);
      total += model.vms.length;
      const ours = new Map(inv.vms.filter((v) => v.host === row.name).map((v) => [v.vmId, v]));
      assert.equal(ours.size, model.vms.length, `VM count of ${row.name}`);
      for (const vm of model.vms) {
        const seen = ours.get(vm.vmId);
        assert.ok(seen, `${vm.name} on ${row.name} missing`);
        assert.equal(seen.name, vm.name);
        assert.equal(seen.state, vm.state);
        assert.deepEqual(seen.ipAddresses, vm.ipAddresses);
        assert.deepEqual(seen.disks, vm.disks);
        assert.deepEqual(seen.nics, vm.nics);
        assert.equal(seen.clustered, vm.clustered);
        assert.equal(seen.stale, false);
      }
    }
    assert.equal(inv.vms.length, total);
    assert.equal(total, 500);
    for (const h of inv.hosts) assert.equal(h.cluster, clusterOf.get(h.name));
    const expectedClusters = [...new Set([...clusterOf.values()].filter((c): c is string => c !== null))].sort();
    assert.deepEqual(inv.clusters.map((c) => c.name), expectedClusters);
    assert.deepEqual(inv.standaloneHosts, [...clusterOf].filter(([, c]) => c === null).map(([h]) => h).sort());
  });

  it('pages and filters VMs, and serves an ETag with 304', async () => {
    const first = await json(`${o.url}/api/v1/vms?limit=200`);
    assert.equal((first.body!.items as unknown[]).length, 200);
    assert.equal(first.body!.total, 500);
    const second = await json(`${o.url}/api/v1/vms?limit=10000&cursor=${String(first.body!.nextCursor)}`);
    assert.equal((second.body!.items as unknown[]).length, 300);
    assert.equal(second.body!.nextCursor, null);
    const running = await json(`${o.url}/api/v1/vms?state=Running&limit=10000`);
    assert.ok((running.body!.items as Vm[]).every((v) => v.state === 'Running'));
    const host = o.sim.hosts[0]!.name;
    const byHost = await json(`${o.url}/api/v1/hosts/${host}/vms`);
    assert.equal(byHost.body!.total, 25);
    const inv = await json(`${o.url}/api/v1/inventory`);
    const etag = inv.headers.get('etag')!;
    const again = await json(`${o.url}/api/v1/inventory`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const vm = (byHost.body!.items as Vm[])[0]!;
    assert.equal((await json(`${o.url}/api/v1/vms/${vm.vmId.toUpperCase()}`)).body!.name, vm.name);
    assert.equal(((await json(`${o.url}/api/v1/vms/${vm.vmId}/disks`)).body!.items as unknown[]).length, vm.disks.length);
    assert.equal((await json(`${o.url}/api/v1/vms/00000000-0000-0000-0000-000000000000`)).status, 404);
    assert.equal((await json(`${o.url}/api/v1/vms?limit=10001`)).status, 400);
  });

  it('marks a host that went down disconnected with stale VMs, and recovers when it is back', async () => {
    const host = o.sim.hosts[1]!.name;
    await control(o.sim, 'POST', `/hosts/${host}/down`);
    try {
      const refreshed = (await json(`${o.url}/api/v1/hosts/${host}/refresh`, { method: 'POST' })).body!;
      assert.equal(refreshed.connected, false);
      assert.ok((refreshed.lastError as { message: string }).message.length > 0);
      const vms = (await json(`${o.url}/api/v1/hosts/${host}/vms?limit=100`)).body!.items as { stale: boolean; lastSeen: string }[];
      assert.equal(vms.length, 25, 'VMs of a silent host are kept');
      assert.ok(vms.every((v) => v.stale && v.lastSeen));
    } finally {
      await control(o.sim, 'POST', `/hosts/${host}/up`);
    }
    await o.services.inventory.refreshAll();
    const back = (await json(`${o.url}/api/v1/hosts/${host}`)).body!;
    assert.equal(back.connected, true);
    const vms = (await json(`${o.url}/api/v1/hosts/${host}/vms?limit=100`)).body!.items as { stale: boolean }[];
    assert.ok(vms.every((v) => !v.stale));
  });

  it('tells a WebSocket subscriber when a VM is started behind its back, and replays what a reconnecting client missed', async () => {
    const host = o.sim.hosts[2]!.name;
    const off = (await control(o.sim, 'GET', `/hosts/${host}/model`) as ModelJson).vms.find((v) => v.state === 'Off');
    assert.ok(off, 'the seeded estate has a VM that is off');
    const ws = new WebSocket(`${o.url.replace('http', 'ws')}/ws`);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ action: 'subscribe', topics: ['inventory'] }));
    await waitFor(() => messages.some((m) => m.type === 'subscribed'));
    const { client: side, pool: sidePool } = sideChannel(o);
    after(() => sidePool.close());
    await side.vmPower(host, { vmId: off.vmId, action: 'start' });
    await o.services.inventory.refreshHost(host);
    await waitFor(() => messages.some((m) => m.type === 'vm.updated' && (m.data as { vm: Vm }).vm.vmId === off.vmId));
    const event = messages.find((m) => m.type === 'vm.updated' && (m.data as { vm: Vm }).vm.vmId === off.vmId)!;
    const data = event.data as { vm: Vm; changed: string[]; previous: { state: string } };
    assert.ok(data.changed.includes('state'));
    assert.equal(data.previous.state, 'Off');
    assert.notEqual(data.vm.state, 'Off');
    const lastSeq = event.seq as number;
    ws.close();
    // While disconnected: stop it again; then reconnect with the last seq.
    await side.vmPower(host, { vmId: off.vmId, action: 'stop' });
    await o.services.inventory.refreshHost(host);
    const missed = o.services.bus.replay(lastSeq, (t) => t === 'inventory').events;
    assert.ok(missed.length > 0);
    const ws2 = new WebSocket(`${o.url.replace('http', 'ws')}/ws`);
    const replayed: Record<string, unknown>[] = [];
    ws2.on('message', (d) => replayed.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r) => ws2.once('open', r));
    ws2.send(JSON.stringify({ action: 'subscribe', topics: ['inventory'], lastSeq }));
    await waitFor(() => replayed.filter((m) => typeof m.seq === 'number' && m.topic === 'inventory').length >= missed.length);
    assert.deepEqual(replayed.filter((m) => m.topic === 'inventory').map((m) => m.seq), missed.map((e) => e.seq));
    ws2.close();
  });
});
