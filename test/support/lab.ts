/**
 * A one-host simulated laboratory with the agent preinstalled (this checkout's version),
 * and the settings that reach it over WinRM (Basic over HTTPS, simulator CA) or SSH.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator/src/index.ts';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings } from '../../server/src/remoting/settings.ts';
import { REPOSITORY_ROOT } from '../../server/src/version.ts';

export interface Lab {
  sim: Simulator;
  host: string;
  address: string;
  version: string;
  knownHostsFile: string;
  dir: string;
  settings(transport: 'winrm' | 'ssh'): RemotingSettings;
  stop(): Promise<void>;
}

export async function startLab(options: { preinstall?: boolean } = {}): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'aetherv-lab-'));
  const version = (await readFile(join(REPOSITORY_ROOT, 'version'), 'utf8')).trim();
  const artifacts = join(dir, 'artifacts');
  await import('node:fs/promises').then((fs) => fs.mkdir(artifacts));
  await writeFile(join(artifacts, 'version'), `${version}\n`);
  await writeFile(join(artifacts, 'AetherV.Agent.ps1'), '# agent\r\n');
  const sim = await startSimulator({
    hosts: 1,
    vmsPerHost: 2,
    timeScale: 0,
    ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 },
    stateDir: dir,
    ...(options.preinstall === false ? {} : { preinstallAgentFrom: artifacts }),
  });
  const row = sim.hosts[0]!;
  const knownHostsFile = join(dir, 'known_hosts');
  await writeFile(knownHostsFile, sim.knownHosts);
  return {
    sim,
    host: row.name,
    address: row.address,
    version,
    knownHostsFile,
    dir,
    settings(transport) {
      return {
        transport,
        connectTimeoutMs: 5000,
        winrm: { ...DEFAULT_WINRM, auth: 'basic', port: row.winrmHttpsPort, useTls: true, username: sim.credentials.username, password: sim.credentials.password, caFile: sim.credentials.caFile },
        ssh: { ...DEFAULT_SSH, port: row.sshPort, username: sim.credentials.username, password: sim.credentials.password, knownHostsFile },
      };
    },
    async stop() {
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
