import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { OpLogEntry } from '../contracts.ts';
import { basic, fixture, post } from '../winrm/testing-client.ts';
import { startSimulation, type FleetLike, type Simulation } from './simulation.ts';
import { testingHost } from './testing-host.ts';

class FakeFleet implements FleetLike {
  readonly agents = new Map<string, string>();
  readonly hosts = [testingHost('HV-CTL-01', 'CL-A'), testingHost('HV-CTL-02', 'CL-A'), testingHost('HV-CTL-03')].map((h) => Object.assign(h, {
    model: () => ({ name: h.name, vms: [{ id: '8c8a7d6e-0000-4000-8000-000000000001', state: 'Running' }] }),
    setAgent: (kind: 'typescript' | 'powershell') => { this.agents.set(h.name, kind); },
  }));
  oplogFilters: Array<{ host?: string; since?: number }> = [];
  resets = 0;
  closed = false;
  oplog(filter: { host?: string; since?: number }): OpLogEntry[] {
    this.oplogFilters.push(filter);
    return [{ seq: 7, host: 'HV-CTL-01', operation: 'vm.power', params: { action: 'start' }, time: '2026-01-01T00:00:00.000Z', outcome: 'ok' }];
  }
  reset(): void { this.resets += 1; }
  async close(): Promise<void> { this.closed = true; }
}

async function json(sim: Simulation, path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.controlUrl}${path}`, init);
  return { status: res.status, body: await res.json() };
}

function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

describe('control API', () => {
  const fleet = new FakeFleet();
  let sim: Simulation<FakeFleet>;

  before(async () => {
    sim = await startSimulation(fleet, { addressBase: '127.0.20.50', ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 } });
  });
  after(async () => {
    await sim.stop();
    assert.equal(fleet.closed, true);
  });

  it('switches which agent answers a host (PUT /hosts/{name}/agent), refusing other kinds and unknown hosts', async () => {
    const put = (name: string, body: unknown): Promise<{ status: number; body: unknown }> => json(sim, `/hosts/${name}/agent`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    assert.deepEqual(await put('hv-ctl-02', { agent: 'powershell' }), { status: 200, body: { name: 'hv-ctl-02', agent: 'powershell' } });
    assert.equal(fleet.agents.get('HV-CTL-02'), 'powershell');
    assert.equal((await put('HV-CTL-02', { agent: 'python' })).status, 400);
    assert.equal((await put('HV-NOPE', { agent: 'typescript' })).status, 404);
  });

  it('lists hosts with their addresses and actual ports, and the credentials', async () => {
    const hosts = (await json(sim, '/hosts')).body as Array<Record<string, unknown>>;
    assert.deepEqual(hosts.map((h) => [h['name'], h['address'], h['cluster'], h['up']]), [
      ['HV-CTL-01', '127.0.20.50', 'CL-A', true], ['HV-CTL-02', '127.0.20.51', 'CL-A', true], ['HV-CTL-03', '127.0.20.52', null, true],
    ]);
    for (const h of hosts) {
      assert.deepEqual(Object.keys(h).sort(), ['address', 'cluster', 'name', 'sshPort', 'up', 'winrmHttpsPort', 'winrmPort']);
      assert.ok((h['winrmPort'] as number) > 0 && (h['winrmHttpsPort'] as number) > 0 && (h['sshPort'] as number) > 0);
    }
    assert.deepEqual(hosts, sim.hosts);
    const creds = (await json(sim, '/credentials')).body as Record<string, string>;
    assert.equal(creds['username'], sim.credentials.username);
    assert.equal(creds['password'], sim.credentials.password);
    assert.ok(creds['password']!.length >= 16);
    assert.match(creds['caFile']!, /simulator-ca\.pem$/);
  });

  it('takes a host down and brings it back on the same ports', async () => {
    const before = sim.hosts[1]!;
    const down = await json(sim, '/hosts/HV-CTL-02/down', { method: 'POST' });
    assert.equal(down.status, 200);
    assert.equal((down.body as Record<string, unknown>)['up'], false);
    assert.equal(await connects(before.address, before.winrmPort), false);
    assert.equal(await connects(before.address, before.sshPort), false);
    assert.equal(await connects(sim.hosts[0]!.address, sim.hosts[0]!.winrmPort), true, 'other hosts stay up');
    const up = await json(sim, '/hosts/HV-CTL-02/up', { method: 'POST' });
    assert.deepEqual(up.body, { ...before, up: true });
    const auth = basic(sim.credentials.username, sim.credentials.password);
    assert.equal((await post({ url: `http://${before.address}:${before.winrmPort}/wsman` }, fixture('open_shell_request.xml'), auth)).status, 200);
    assert.equal((await json(sim, '/hosts/NOPE/down', { method: 'POST' })).status, 404);
  });

  it('validates and applies faults, serves the model and the oplog, and resets', async () => {
    const bad = await json(sim, '/hosts/HV-CTL-01/faults', { method: 'PUT', body: JSON.stringify({ dropRate: 2 }) });
    assert.equal(bad.status, 400);
    assert.match(String((bad.body as Record<string, unknown>)['error']), /dropRate/);
    const good = await json(sim, '/hosts/HV-CTL-01/faults', {
      method: 'PUT', body: JSON.stringify({ authFailure: true, latencyMs: 5, operations: { 'image.copy': { failureRate: 0.5, delayMs: 100 } } }),
    });
    assert.equal(good.status, 200);
    assert.deepEqual(fleet.hosts[0]!.faults, { latencyMs: 5, jitterMs: 0, failureRate: 0, dropRate: 0, authFailure: true, operations: { 'image.copy': { failureRate: 0.5, delayMs: 100 } } });
    const row = sim.hosts[0]!;
    const auth = basic(sim.credentials.username, sim.credentials.password);
    assert.equal((await post({ url: `http://${row.address}:${row.winrmPort}/wsman` }, fixture('open_shell_request.xml'), auth)).status, 401);

    assert.deepEqual((await json(sim, '/hosts/hv-ctl-01/model')).body, fleet.hosts[0]!.model());
    assert.equal((await json(sim, '/hosts/NOPE/model')).status, 404);
    const log = await json(sim, '/oplog?host=HV-CTL-01&since=3');
    assert.equal((log.body as OpLogEntry[])[0]!.operation, 'vm.power');
    assert.deepEqual(fleet.oplogFilters.at(-1), { host: 'HV-CTL-01', since: 3 });
    assert.equal((await json(sim, '/oplog?since=abc')).status, 400);

    await json(sim, '/hosts/HV-CTL-03/down', { method: 'POST' });
    assert.equal((await json(sim, '/reset', { method: 'POST' })).status, 200);
    assert.equal(fleet.resets, 1);
    assert.equal(fleet.hosts[0]!.faults.authFailure, false);
    assert.ok(sim.hosts.every((h) => h.up));
    assert.equal((await post({ url: `http://${row.address}:${row.winrmPort}/wsman` }, fixture('open_shell_request.xml'), auth)).status, 200);
  });
});
