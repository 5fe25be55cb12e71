import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestOrchestrator, artifactsWithVersion, control, type TestOrchestrator } from '../support/orchestrator.ts';
import type { BusEvent } from '../../server/src/events/bus.ts';

const VERSION = readFileSync('version', 'utf8').trim();

interface ModelInstalls { installs: { directory: string; version: string | null }[] }

describe('host agent deployment against simulated hosts', { timeout: 120_000 }, () => {
  let o: TestOrchestrator;
  const events: BusEvent[] = [];
  before(async () => {
    // Every host starts with an older agent installed.
    o = await startTestOrchestrator({ simulator: { hosts: 3, vmsPerHost: 1, addressBase: '127.0.42.1', preinstallAgentFrom: await artifactsWithVersion('0.0.9') } });
    o.services.bus.subscribe((e) => events.push(e));
  });
  after(async () => { await o?.stop(); });

  it('upgrades hosts running an old agent by pulling the artifacts over HTTP', async () => {
    const upgrade = o.sim.hosts[0]!.name;
    const status = await o.services.deployment.ensureCurrent(upgrade);
    assert.equal(status.state, 'current', status.reason ?? '');
    assert.equal(status.installedVersion, VERSION);
    const model = await control(o.sim, 'GET', `/hosts/${upgrade}/model`) as ModelInstalls;
    assert.equal(model.installs[0]!.version, VERSION);
    const states = events.filter((e) => e.type === 'host.deployment' && (e.data as { host: string }).host === upgrade).map((e) => (e.data as { state: string }).state);
    assert.deepEqual(states, ['checking', 'deploying', 'current']);
    // The HTTP API shows it.
    const api = await (await fetch(`${o.url}/api/v1/hosts/${upgrade}/deployment`)).json() as { state: string; installedVersion: string };
    assert.equal(api.state, 'current');
  });

  it('refuses a corrupted download, keeps the old agent working and says why', async () => {
    const host = o.sim.hosts[1]!.name;
    await control(o.sim, 'PUT', `/hosts/${host}/faults`, { corruptDownloads: true });
    const status = await o.services.deployment.ensureCurrent(host);
    assert.equal(status.state, 'failed');
    assert.match(status.reason ?? '', /CHECKSUM_MISMATCH|does not match the manifest/);
    assert.ok(status.nextAttemptAt, 'a retry is scheduled');
    const model = await control(o.sim, 'GET', `/hosts/${host}/model`) as ModelInstalls;
    assert.equal(model.installs[0]!.version, '0.0.9', 'the previous install is untouched');
    // The old agent still answers.
    const info = await o.services.agent.hostInfo(host);
    assert.equal(info.name, host);
    const notes = await o.services.notifications.list('tester');
    assert.ok(notes.items.some((n) => n.key === `deployment:${host}` && n.level === 'error'));
    // Fixed: the next attempt succeeds.
    await control(o.sim, 'PUT', `/hosts/${host}/faults`, {});
    const fixed = await o.services.deployment.ensureCurrent(host);
    assert.equal(fixed.state, 'current');
    assert.equal(fixed.failures, 0);
  });

  it('skips hosts that are already current, and redeploys on request', async () => {
    await o.services.deployment.ensureAll();
    events.length = 0;
    const again = await o.services.deployment.ensureAll();
    assert.ok(again.every((s) => s.state === 'current'));
    assert.equal(events.filter((e) => e.type === 'host.deployment').length, 0, 'no check at all for hosts known current');
    const redeploy = await (await fetch(`${o.url}/api/v1/admin/redeploy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [o.sim.hosts[2]!.name] }) })).json() as { items: { state: string }[] };
    assert.equal(redeploy.items[0]!.state, 'current');
    const checked = events.filter((e) => e.type === 'host.deployment').map((e) => (e.data as { state: string }).state);
    assert.deepEqual(checked, [], 'not forced: a current host is not even checked');
    events.length = 0;
    const forced = await (await fetch(`${o.url}/api/v1/admin/redeploy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: [o.sim.hosts[2]!.name], force: true }) })).json() as { items: { state: string }[] };
    assert.equal(forced.items[0]!.state, 'current');
    assert.deepEqual(events.filter((e) => e.type === 'host.deployment').map((e) => (e.data as { state: string }).state), ['checking', 'deploying', 'current']);
    const unknown = await fetch(`${o.url}/api/v1/admin/redeploy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: ['nope'] }) });
    assert.equal(unknown.status, 404);
  });

  it('deploys in push mode over the remoting channel in chunks', async () => {
    const push = await startTestOrchestrator({ simulator: { hosts: 1, vmsPerHost: 0, addressBase: '127.0.43.1', preinstallAgentFrom: await artifactsWithVersion('0.0.8') }, env: { AGENT_DEPLOY_MODE: 'push' } });
    try {
      const status = await push.services.deployment.ensureCurrent(push.sim.hosts[0]!.name);
      assert.equal(status.state, 'current', status.reason ?? '');
      const model = await control(push.sim, 'GET', `/hosts/${push.sim.hosts[0]!.name}/model`) as ModelInstalls;
      assert.equal(model.installs[0]!.version, VERSION);
    } finally {
      await push.stop();
    }
  });
});
