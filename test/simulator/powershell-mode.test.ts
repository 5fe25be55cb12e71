/**
 * A simulated host in powershell agent mode, reached as the orchestrator reaches hosts (its own
 * WinRM and SSH transports and agent client): the real AetherV.Agent.ps1 answers host.info and
 * inventory.collect, the real bootstrap scripts check the version, stage (push) and install
 * (push, and pull over HTTP from an /agent/ server), and the files really land on the host's
 * C: drive on disk.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AgentClient } from '../../server/src/agent/client.ts';
import { BootstrapRunner } from '../../server/src/agent/bootstrap.ts';
import { createTransport, type HostTransport, type RemotingSettings } from '../../server/src/remoting/index.ts';
import { DEFAULT_SSH, DEFAULT_WINRM } from '../../server/src/remoting/settings.ts';
import { startSimulator, type Simulator } from '../../simulator/src/index.ts';
import { agentArtifacts } from '../../simulator/src/pwsh/testing.ts';

const INSTALL = 'C:\\Program Files\\Aether-V';

type ManifestFile = { name: string; sha256: string; size: number };
interface Manifest { version: string; files: [ManifestFile, ...ManifestFile[]] }

describe('simulator powershell agent mode (real AetherV.Agent.ps1 and bootstrap scripts in pwsh)', () => {
  const artifacts = agentArtifacts('9.8.7');
  const manifest = JSON.parse(readFileSync(join(artifacts, 'manifest.json'), 'utf8')) as Manifest;
  let sim: Simulator;
  let knownHosts: string;
  const transports = new Map<string, HostTransport>();
  let agentServer: http.Server;
  let agentUrl: string;

  const settings = (kind: 'winrm' | 'ssh', host: string): RemotingSettings => {
    const row = sim.hosts.find((r) => r.name === host)!;
    return {
      transport: kind,
      connectTimeoutMs: 5000,
      winrm: { ...DEFAULT_WINRM, auth: 'basic', port: row.winrmHttpsPort, useTls: true, username: sim.credentials.username, password: sim.credentials.password, caFile: sim.credentials.caFile },
      ssh: { ...DEFAULT_SSH, port: row.sshPort, username: sim.credentials.username, password: sim.credentials.password, knownHostsFile: knownHosts },
    };
  };
  // Host keys "winrm:HV01" / "ssh:HV01" pick the transport.
  const source = {
    get(key: string): HostTransport {
      let t = transports.get(key);
      if (!t) {
        const [kind, host] = key.split(':') as ['winrm' | 'ssh', string];
        const row = sim.hosts.find((r) => r.name === host)!;
        t = createTransport(host, settings(kind, host), { address: row.address });
        transports.set(key, t);
      }
      return t;
    },
  };
  const client = (): AgentClient => new AgentClient({ transports: source, retry: { retries: 0 } });

  before(async () => {
    sim = await startSimulator({ hosts: 3, vmsPerHost: 2, clusters: 1, seed: 11, timeScale: 0, agent: 'powershell', preinstallAgentFrom: artifacts, ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 } });
    knownHosts = join(mkdtempSync(join(tmpdir(), 'aetherv-pwsh-mode-')), 'known_hosts');
    writeFileSync(knownHosts, sim.knownHosts);
    // The orchestrator's /agent/ route, as hosts pull from it: manifest names relative to the install directory.
    agentServer = http.createServer((req, res) => {
      const name = decodeURIComponent((req.url ?? '').replace(/^\/agent\//, ''));
      const file = manifest.files.find((f) => f.name === name);
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(join(artifacts, ...name.split('/'))));
    });
    await new Promise<void>((r) => agentServer.listen(0, '127.0.0.1', r));
    agentUrl = `http://127.0.0.1:${(agentServer.address() as AddressInfo).port}/agent`;
  });

  after(async () => {
    for (const t of transports.values()) await t.close();
    await new Promise((r) => agentServer.close(r));
    await sim.stop();
    rmSync(join(knownHosts, '..'), { recursive: true, force: true });
  });

  for (const kind of ['winrm', 'ssh'] as const) {
    it(`answers host.info and inventory.collect with the real agent over ${kind}`, async () => {
      const c = client();
      const model = sim.fleet.host('HV01')!.model() as { agent: string; vms: { vmId: string; name: string; state: string }[] };
      assert.equal(model.agent, 'powershell');
      const info = await c.call(`${kind}:HV01`, 'host.info', {}, { deadlineSeconds: 60 });
      assert.equal(info.name, 'HV01');
      assert.equal(info.cluster, 'CLU01');
      assert.equal(info.agentVersion, '9.8.7');
      assert.equal(info.installDirectory, INSTALL);
      // The real pwsh says who it is: PowerShell 7, not the 5.1 a Windows host has.
      assert.match(info.psVersion, /^7\./);
      assert.deepEqual(info.provisioningIsos.map((i) => i.path).sort(), [`${INSTALL}\\LinuxProvisioning.iso`, `${INSTALL}\\WindowsProvisioning.iso`]);
      assert.deepEqual(info.storagePaths.map((p) => [p.path, p.shared]).sort(), [['C:\\ClusterStorage\\Volume1', true], ['C:\\Hyper-V', false]]);
      assert.deepEqual(info.images.map((i) => i.name).sort(), ['Debian-12', 'Ubuntu-24.04', 'Windows-Server-2022']);
      const inventory = await c.call(`${kind}:HV01`, 'inventory.collect', {}, { deadlineSeconds: 60 });
      assert.deepEqual(inventory.vms.map((v) => [v.vmId, v.name, v.state]).sort(), model.vms.map((v) => [v.vmId, v.name, v.state]).sort());
      assert.deepEqual(inventory.warnings, []);
      const some = await c.call(`${kind}:HV01`, 'inventory.collect', { vmIds: [model.vms[0]!.vmId, '00000000-0000-4000-8000-000000000001'] }, { deadlineSeconds: 60 });
      assert.deepEqual(some.vms.map((v) => v.vmId), [model.vms[0]!.vmId]);
      assert.deepEqual(some.notFound, ['00000000-0000-4000-8000-000000000001']);
    });
  }

  it('keeps the preinstalled agent as real files in the install folder on the host\'s disk', () => {
    const drive = driveRoot(sim, 'HV02');
    const folder = join(drive, 'Program Files', 'Aether-V');
    for (const f of manifest.files) {
      const bytes = readFileSync(join(folder, ...f.name.split('/')));
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, f.name);
    }
    assert.equal(readFileSync(join(folder, 'version'), 'utf8').trim(), '9.8.7');
    // Cluster nodes share C:\ClusterStorage\Volume1.
    assert.ok(existsSync(join(drive, 'ClusterStorage', 'Volume1', 'Golden Images', 'Ubuntu-24.04.vhdx')));
  });

  it('runs the real bootstrap scripts: version, push staging and install, pull install from /agent/', async () => {
    const c = client();
    const runner = new BootstrapRunner({ client: c, transportKind: (key) => (key.startsWith('ssh:') ? 'ssh' : 'winrm') });
    const version = await runner.run('winrm:HV03', 'version', { installDirectory: INSTALL });
    assert.deepEqual({ installed: version.installed, version: version.version, computerName: version.computerName, hypervModule: version.hypervModule }, { installed: true, version: '9.8.7', computerName: 'HV03', hypervModule: true });

    const pushDir = 'C:\\Aether-V Push';
    const before = await runner.run('ssh:HV03', 'version', { installDirectory: pushDir });
    assert.equal(before.installed, false);
    const stagingId = 'push-1';
    // A few files keep the test short (a pwsh start per chunk); the mechanism is the same for all.
    const pushManifest: Manifest = { version: manifest.version, files: manifest.files.filter((f) => ['AetherV.Agent.ps1', 'bootstrap/Install-Agent.ps1', 'LinuxProvisioning.iso'].includes(f.name)) as Manifest['files'] };
    for (const [i, f] of pushManifest.files.entries()) {
      const bytes = readFileSync(join(artifacts, ...f.name.split('/')));
      // The first file in two chunks, as push mode sends large files.
      const half = i === 0 ? Math.floor(bytes.length / 2) : bytes.length;
      const first = await runner.run('ssh:HV03', 'stage', { installDirectory: pushDir, stagingId, name: f.name, offset: 0, dataBase64: bytes.subarray(0, half).toString('base64') });
      const staged = half < bytes.length ? await runner.run('ssh:HV03', 'stage', { installDirectory: pushDir, stagingId, name: f.name, offset: half, dataBase64: bytes.subarray(half).toString('base64') }) : first;
      assert.equal(staged.stagedBytes, bytes.length);
    }
    const pushed = await runner.run('winrm:HV03', 'install', { installDirectory: pushDir, mode: 'push', stagingId, manifest: pushManifest }, { deadlineSeconds: 120 });
    assert.equal(pushed.version, '9.8.7');
    const pushFolder = join(driveRoot(sim, 'HV03'), 'Aether-V Push');
    assert.equal(readFileSync(join(pushFolder, 'version'), 'utf8').trim(), '9.8.7');
    assert.equal(readFileSync(join(pushFolder, 'bootstrap', 'Install-Agent.ps1'), 'utf8'), readFileSync(join(artifacts, 'bootstrap', 'Install-Agent.ps1'), 'utf8'));

    const pullDir = 'C:\\Aether-V Pull';
    const pulled = await runner.run('winrm:HV03', 'install', { installDirectory: pullDir, mode: 'pull', baseUrl: agentUrl, manifest }, { deadlineSeconds: 120 });
    assert.equal(pulled.previousVersion, null);
    const after = await runner.run('winrm:HV03', 'version', { installDirectory: pullDir });
    assert.equal(after.installed, true);
    assert.equal(after.version, '9.8.7');
    // The model reads installs back from the disk: the pulled install answers agent calls too.
    const model = sim.fleet.host('HV03')!.model() as { installs: { directory: string; version: string }[] };
    assert.ok(model.installs.some((i) => i.directory === pullDir && i.version === '9.8.7'), JSON.stringify(model.installs));
  });
});

function driveRoot(sim: Simulator, host: string): string {
  const model = sim.fleet.host(host)!.model() as { drive?: string };
  assert.ok(model.drive, 'the model names the C: drive folder');
  return model.drive;
}
