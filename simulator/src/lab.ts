/**
 * The embedded laboratory the orchestrator starts when HYPERV_HOSTS is empty: a SIMULATED
 * two-node failover cluster and one standalone host with about a dozen VMs (Windows and Linux
 * golden images), credentials generated for this run and handed over in memory. Nothing here
 * is a real Hyper-V host, and everything returned says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from './control/simulator.ts';

export const LAB_LABEL = 'Simulated laboratory: these Hyper-V hosts are simulated by Aether-V, not real servers';

export interface EmbeddedLabOptions {
  /** Seed of the estate (default 2024): the same seed gives the same VMs. */
  seed?: number;
  /** Simulated durations multiplier (default 0.25: a VM starts in seconds, not minutes). */
  timeScale?: number;
  /** First host address (default 127.0.10.1). */
  addressBase?: string;
  /** An artifacts/ folder to install as the host agent up front (default: none, the orchestrator deploys it). */
  preinstallAgentFrom?: string;
  /** VMs per host (default 4, twelve in all). */
  vmsPerHost?: number;
}

export interface LabHost {
  name: string;
  /** Connect here: host names of the laboratory do not resolve; certificates also name the address. */
  address: string;
  cluster: string | null;
  winrmPort: number;
  winrmHttpsPort: number;
  sshPort: number;
}

export interface EmbeddedLab {
  readonly simulated: true;
  readonly label: string;
  readonly hosts: LabHost[];
  readonly clusters: string[];
  /** Transport settings an orchestrator uses for every laboratory host (ports are per host above). */
  readonly transport: {
    kind: 'winrm';
    winrm: { auth: 'basic'; useTls: true; username: string; password: string; caFile: string; allowUnencrypted: false };
    ssh: { username: string; password: string; knownHostsFile: string };
  };
  /** OpenSSH known_hosts text (also written to transport.ssh.knownHostsFile). */
  readonly knownHosts: string;
  /** The simulator's control API (faults, down/up, model, oplog) for diagnostics and tests. */
  readonly controlUrl: string;
  readonly simulator: Simulator;
  stop(): Promise<void>;
}

export async function startEmbeddedLab(options: EmbeddedLabOptions = {}): Promise<EmbeddedLab> {
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-lab-'));
  let simulator: Simulator;
  try {
    simulator = await startSimulator({
      hosts: 3,
      clusters: 1,
      vmsPerHost: options.vmsPerHost ?? 4,
      seed: options.seed ?? 2024,
      timeScale: options.timeScale ?? 0.25,
      addressBase: options.addressBase ?? '127.0.10.1',
      // Ephemeral ports: a laboratory never collides with a real WinRM/SSH service or another run.
      ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 },
      allowUnencrypted: false,
      stateDir: dir,
      ...(options.preinstallAgentFrom ? { preinstallAgentFrom: options.preinstallAgentFrom } : {}),
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, simulator.knownHosts, { mode: 0o600 });
  const { username, password, caFile } = simulator.credentials;
  const hosts = simulator.hosts.map(({ name, address, cluster, winrmPort, winrmHttpsPort, sshPort }) => ({ name, address, cluster, winrmPort, winrmHttpsPort, sshPort }));
  return {
    simulated: true,
    label: LAB_LABEL,
    hosts,
    clusters: [...new Set(hosts.map((h) => h.cluster).filter((c): c is string => c !== null))],
    transport: {
      kind: 'winrm',
      winrm: { auth: 'basic', useTls: true, username, password, caFile, allowUnencrypted: false },
      ssh: { username, password, knownHostsFile },
    },
    knownHosts: simulator.knownHosts,
    controlUrl: simulator.controlUrl,
    simulator,
    async stop() {
      await simulator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
