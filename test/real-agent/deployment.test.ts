/**
 * Deployment of the host agent with the real bootstrap scripts in the real pwsh: every host starts
 * with an older agent whose files differ from this checkout's; the orchestrator upgrades one by
 * pull (the host's pwsh really downloads from the orchestrator's /agent/ URL) and refuses a
 * corrupt download on another (its old agent keeps answering). Push: deployment-push.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { control, testArtifacts } from '../support/orchestrator.ts';
import { readOnDisk, startRealAgent, type RealAgentOrchestrator } from './support.ts';

const INSTALL = 'C:\\Program Files\\Aether-V';
const OLD = '0.0.9';
// The old agent's common module carries one more line, so an upgrade must replace its bytes.
const OLD_MARK = '# installed by the real-agent deployment test as version 0.0.9\r\n';

interface Manifest { version: string; files: { name: string; sha256: string; size: number }[] }

/** This checkout's artifacts, claiming version 0.0.9, with AetherV.Common.ps1 changed (and its manifest entry). */
async function olderArtifacts(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-real-old-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  cpSync(await testArtifacts(), dir, { recursive: true });
  const common = join(dir, 'scripts', 'AetherV.Common.ps1');
  const bytes = Buffer.concat([readFileSync(common), Buffer.from(OLD_MARK)]);
  writeFileSync(common, bytes);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  manifest.version = OLD;
  const entry = manifest.files.find((f) => f.name === 'AetherV.Common.ps1')!;
  entry.sha256 = createHash('sha256').update(bytes).digest('hex');
  entry.size = bytes.length;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'version'), `${OLD}\n`);
  return dir;
}

describe('real agent: deployment (pull, corrupt download)', { timeout: 1_800_000 }, () => {
  let o: RealAgentOrchestrator;
  let current: Manifest;
  const downloads: string[] = [];
  const installed = async (host: string) => (await readOnDisk(o, host, `${INSTALL}\\version`)).toString('utf8').trim();

  before(async () => {
    current = JSON.parse(readFileSync(join(await testArtifacts(), 'manifest.json'), 'utf8')) as Manifest;
    o = await startRealAgent({ simulator: { hosts: 2, clusters: 0, vmsPerHost: 0, addressBase: '127.0.61.1', preinstallAgentFrom: await olderArtifacts() }, jobs: false });
    // Every request the orchestrator's HTTP server sees for the agent's files.
    o.app.server.on('request', (req: IncomingMessage) => { if (req.url?.startsWith('/agent/')) downloads.push(decodeURIComponent(req.url)); });
  });
  after(async () => { await o?.stop(); });

  it('upgrades a host from an older agent by pulling every file from the orchestrator\'s /agent/ URL', { timeout: 900_000 }, async () => {
    const host = o.sim.hosts[0]!.name;
    assert.equal(await installed(host), OLD);
    assert.equal((await o.services.agent.hostInfo(host)).agentVersion, OLD, 'the old agent answers first');
    const status = await o.services.deployment.ensureCurrent(host);
    assert.equal(status.state, 'current', status.reason ?? '');
    assert.equal(status.installedVersion, current.version);
    // Each manifest file was fetched over HTTP by the host and is on its disk, byte for byte.
    for (const f of current.files) {
      assert.ok(downloads.some((d) => d.endsWith(`/${f.name}`)), `${f.name} was downloaded from /agent/ (saw ${downloads.join(', ')})`);
      const bytes = await readOnDisk(o, host, `${INSTALL}\\${f.name.replace(/\//g, '\\')}`);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, `${f.name} on disk`);
    }
    assert.ok(!(await readOnDisk(o, host, `${INSTALL}\\AetherV.Common.ps1`)).toString('utf8').includes(OLD_MARK), 'the old file was replaced');
    assert.equal(await installed(host), current.version);
    // The new agent answers, through the same channel.
    assert.equal((await o.services.agent.hostInfo(host)).agentVersion, current.version);
    const api = await (await fetch(`${o.url}/api/v1/hosts/${host}/deployment`)).json() as { state: string; installedVersion: string };
    assert.deepEqual([api.state, api.installedVersion], ['current', current.version]);
  });

  it('refuses a corrupt download: the previous install stays on disk and keeps answering', { timeout: 900_000 }, async () => {
    const host = o.sim.hosts[1]!.name;
    const before = (await readOnDisk(o, host, `${INSTALL}\\AetherV.Common.ps1`)).toString('utf8');
    await control(o.sim, 'PUT', `/hosts/${host}/faults`, { corruptDownloads: true });
    try {
      const status = await o.services.deployment.ensureCurrent(host);
      assert.equal(status.state, 'failed');
      assert.match(status.reason ?? '', /CHECKSUM_MISMATCH|does not match the manifest/);
      assert.ok(status.nextAttemptAt, 'a retry is scheduled');
    } finally {
      await control(o.sim, 'PUT', `/hosts/${host}/faults`, {});
    }
    assert.equal(await installed(host), OLD, 'version untouched on disk');
    assert.equal((await readOnDisk(o, host, `${INSTALL}\\AetherV.Common.ps1`)).toString('utf8'), before, 'the old files untouched');
    const info = await o.services.agent.hostInfo(host);
    assert.deepEqual([info.name, info.agentVersion], [host, OLD], 'the old agent still answers');
    // Fault gone: the next attempt installs.
    const fixed = await o.services.deployment.ensureCurrent(host);
    assert.equal(fixed.state, 'current', fixed.reason ?? '');
    assert.equal(await installed(host), current.version);
  });
});
