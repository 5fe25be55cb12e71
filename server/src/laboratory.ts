/**
 * The embedded simulated laboratory (issue 4): when no HYPERV_HOSTS are configured, the
 * orchestrator starts the simulator in-process and manages it exactly as it would real hosts —
 * over real WinRM (HTTPS, Basic, the simulator's CA) on loopback. This is the one place the
 * server imports the simulator, through its public laboratory entry.
 */
import type { Logger } from 'pino';
import { startEmbeddedLab, type EmbeddedLab } from '../../simulator/src/index.ts';
import type { RemotingSettings } from './remoting/settings.ts';
import { DEFAULT_SSH, DEFAULT_WINRM } from './remoting/settings.ts';
import type { HostTarget } from './services.ts';

export interface Laboratory {
  target: HostTarget;
  label: string;
  controlUrl: string;
  stop(): Promise<void>;
}

export async function startLaboratory(logger: Logger, options: { preinstallAgentFrom?: string } = {}): Promise<Laboratory> {
  const lab: EmbeddedLab = await startEmbeddedLab(options.preinstallAgentFrom ? { preinstallAgentFrom: options.preinstallAgentFrom } : {});
  const { winrm } = lab.transport;
  const base: RemotingSettings = {
    transport: 'winrm',
    connectTimeoutMs: 5_000,
    winrm: { ...DEFAULT_WINRM, auth: 'basic', useTls: true, port: 5986, username: winrm.username, password: winrm.password, caFile: winrm.caFile, delegate: false },
    ssh: { ...DEFAULT_SSH, username: lab.transport.ssh.username, password: lab.transport.ssh.password, knownHostsFile: lab.transport.ssh.knownHostsFile },
  };
  const byName = new Map(lab.hosts.map((h) => [h.name, h]));
  for (const h of lab.hosts) {
    logger.info({ host: h.name, address: h.address, cluster: h.cluster, winrmHttpsPort: h.winrmHttpsPort }, `SIMULATED LABORATORY host ${h.name}${h.cluster ? ` (cluster ${h.cluster})` : ''}`);
  }
  return {
    label: lab.label,
    controlUrl: lab.controlUrl,
    target: {
      hosts: lab.hosts.map((h) => h.name),
      remoting: base,
      resolveAddress: (host) => byName.get(host)?.address,
      // Each simulated host listens on its own ephemeral ports.
      settingsFor: (host) => {
        const h = byName.get(host);
        return h ? { ...base, winrm: { ...base.winrm, port: h.winrmHttpsPort }, ssh: { ...base.ssh, port: h.sshPort } } : base;
      },
    },
    stop: () => lab.stop(),
  };
}
