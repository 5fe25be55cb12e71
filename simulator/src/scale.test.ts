import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startSimulator, type Simulator } from './index.ts';
import { basic, fixture, post } from './winrm/testing-client.ts';

function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

describe('1,000 hosts in one process', { timeout: 120_000 }, () => {
  let sim: Simulator;
  let startMs = 0;
  let rssBefore = 0;

  before(async () => {
    rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    sim = await startSimulator({
      hosts: 1000, vmsPerHost: 50, clusters: 50, seed: 3, timeScale: 0, addressBase: '127.0.40.1',
      ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 },
    });
    startMs = Date.now() - started;
  });
  after(async () => {
    await sim?.stop();
  });

  it('listens on 1,000 distinct loopback addresses and reports the memory it takes', (t) => {
    const memory = process.memoryUsage();
    t.diagnostic(`1000 hosts x 50 VMs: started in ${startMs} ms, rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB ` +
      `(+${((memory.rss - rssBefore) / 2 ** 20).toFixed(0)} MiB), heap used ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`);
    assert.equal(sim.hosts.length, 1000);
    assert.equal(new Set(sim.hosts.map((h) => h.address)).size, 1000);
    assert.equal(sim.hosts.at(-1)!.address, '127.0.43.238', '.0 and .255 are skipped when wrapping');
    assert.ok(sim.hosts.every((h) => h.up && h.winrmPort > 0 && h.winrmHttpsPort > 0 && h.sshPort > 0));
  });

  it('takes one host down through the control API and brings it back', async () => {
    const host = sim.hosts[777]!;
    const auth = basic(sim.credentials.username, sim.credentials.password);
    const down = await fetch(`${sim.controlUrl}/hosts/${host.name}/down`, { method: 'POST' });
    assert.equal(down.status, 200);
    assert.equal(await connects(host.address, host.winrmPort), false);
    assert.equal((sim.hosts[777]!).up, false);
    assert.equal(await connects(sim.hosts[778]!.address, sim.hosts[778]!.winrmPort), true);
    const up = await fetch(`${sim.controlUrl}/hosts/${host.name}/up`, { method: 'POST' });
    assert.equal(up.status, 200);
    const res = await post({ url: `http://${host.address}:${host.winrmPort}/wsman` }, fixture('open_shell_request.xml'), auth);
    assert.equal(res.status, 200);
    assert.equal((sim.hosts[777]!).up, true);
  });
});
