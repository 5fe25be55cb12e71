/**
 * 100 provisioning jobs submitted at once across 10 hosts all finish, and the per-host limit on
 * image copies (one at a time) holds — checked from the simulator's operation log: with every
 * copy taking at least DELAY ms on the host, copies of one host that never overlapped finish at
 * least DELAY ms apart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { control, explain, modelVms, oplog, startHarness, submit, type Harness } from './harness.ts';

const DELAY = 60;

describe('100 provisioning jobs across 10 hosts', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ hosts: 10, vmsPerHost: 0, settings: { kvpPollSeconds: 0.2 } });
    for (const row of h.sim.hosts) await control(h.sim, 'PUT', `/hosts/${row.name}/faults`, { operations: { 'image.copy': { delayMs: DELAY } } });
  });
  after(async () => h.stop());

  it('all finish, each VM running, and no host ever copies two images at once', { timeout: 120_000 }, async () => {
    const jobs = await Promise.all(Array.from({ length: 100 }, (_, i) => {
      const host = h.sim.hosts[i % 10]!.name;
      return submit(h, 'provision', {
        name: `bulk-${String(i).padStart(3, '0')}`, host, image: 'Windows-Server-2022', imageMode: 'differencing', cpuCount: 1,
        // No guest configuration: the KVP phase is covered by provision.test.ts; here the host-side work is measured.
        memory: { startupMiB: 512, dynamic: false }, disks: [], nics: [{ switchName: 'External' }], notes: '', clustered: false, start: true,
      });
    }));
    const done = await Promise.all(jobs.map((j) => h.engine.waitFor(j.id, 110_000)));
    const failed = done.filter((j) => j.state !== 'succeeded');
    assert.deepEqual(failed.map(explain), []);
    for (const row of h.sim.hosts) {
      const vms = (await modelVms(h.sim, row.name)).filter((v) => v.name.startsWith('bulk-'));
      assert.equal(vms.length, 10, row.name);
      assert.ok(vms.every((v) => v.state === 'Running' && v.notes === ''));
    }
    const copies = (await oplog(h.sim)).filter((o) => o.operation === 'image.copy' && o.outcome === 'ok');
    assert.equal(copies.length, 100);
    for (const row of h.sim.hosts) {
      const times = copies.filter((o) => o.host === row.name).map((o) => Date.parse(o.time)).sort((a, b) => a - b);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      assert.ok(gaps.every((g) => g >= DELAY - 2), `${row.name}: copies finished ${gaps.join(', ')} ms apart (< ${DELAY} means two ran at once)`);
    }
  });
});
