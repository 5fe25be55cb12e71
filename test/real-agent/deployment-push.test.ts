/**
 * Push deployment with the real bootstrap scripts in the real pwsh: the orchestrator
 * (AGENT_DEPLOY_MODE=push) sends every file over the remoting channel in chunks (the stage
 * script), then installs; nothing is downloaded, and the new files are on the host's disk.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { artifactsWithVersion, testArtifacts } from '../support/orchestrator.ts';
import { readOnDisk, startRealAgent, type RealAgentOrchestrator } from './support.ts';

const INSTALL = 'C:\\Program Files\\Aether-V';

interface Manifest { version: string; files: { name: string; sha256: string; size: number }[] }

describe('real agent: deployment (push)', { timeout: 1_800_000 }, () => {
  let o: RealAgentOrchestrator;
  let current: Manifest;
  const downloads: string[] = [];

  before(async () => {
    current = JSON.parse(readFileSync(join(await testArtifacts(), 'manifest.json'), 'utf8')) as Manifest;
    o = await startRealAgent({
      simulator: { hosts: 1, clusters: 0, vmsPerHost: 0, addressBase: '127.0.71.1', preinstallAgentFrom: await artifactsWithVersion('0.0.8') },
      env: { AGENT_DEPLOY_MODE: 'push' }, jobs: false,
    });
    o.app.server.on('request', (req: IncomingMessage) => { if (req.url?.startsWith('/agent/')) downloads.push(req.url); });
  });
  after(async () => { await o?.stop(); });

  it('upgrades a host in push mode: the files travel over the remoting channel, none is downloaded', { timeout: 900_000 }, async () => {
    const host = o.sim.hosts[0]!.name;
    const installed = async () => (await readOnDisk(o, host, `${INSTALL}\\version`)).toString('utf8').trim();
    assert.equal(await installed(), '0.0.8');
    const status = await o.services.deployment.ensureCurrent(host);
    assert.equal(status.state, 'current', status.reason ?? '');
    assert.deepEqual(downloads, [], 'nothing was pulled over HTTP');
    for (const f of current.files) {
      const bytes = await readOnDisk(o, host, `${INSTALL}\\${f.name.replace(/\//g, '\\')}`);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, `${f.name} on disk`);
    }
    assert.equal(await installed(), current.version);
    assert.equal((await o.services.agent.hostInfo(host)).agentVersion, current.version);
  });
});
