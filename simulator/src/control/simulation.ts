/**
 * A running simulation: a fleet of simulated hosts put on the network (estate) plus the
 * control API driving both. index.ts builds the fleet; tests may pass a small fake one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_FAULTS, type OpLogEntry } from '../contracts.ts';
import { startControlApi, type Credentials } from './api.ts';
import type { EndpointHost, HostRow, PortSettings } from './endpoints.ts';
import { startEstate, type Estate } from './estate.ts';

/** What the simulation needs of a fleet (structurally a subset of host/fleet.ts's Fleet). */
export interface FleetLike {
  readonly hosts: ReadonlyArray<EndpointHost & { model(): unknown; setAgent?(kind: 'typescript' | 'powershell'): void }>;
  oplog(filter: { host?: string; since?: number }): OpLogEntry[];
  reset(): void;
  close(): Promise<void>;
}

export interface SimulationOptions {
  /** First host address; hosts take consecutive loopback addresses (default 127.0.10.1). */
  addressBase?: string;
  /** 0 = ephemeral. Defaults: 5985, 5986, 22, 0 (control). */
  ports?: Partial<PortSettings & { control: number }>;
  /** Generated per run when absent. */
  username?: string;
  password?: string;
  /** WinRM AllowUnencrypted: Basic/NTLM over plain HTTP (default true, a laboratory). */
  allowUnencrypted?: boolean;
  /** Kerberos acceptance with a keytab (KRB5_KTNAME); servicePrincipalPrefix `HTTP` → `HTTP@<host name>`, '' → any key. */
  kerberos?: { keytab: string; realm?: string; servicePrincipalPrefix?: string };
  /** OpenSSH public keys accepted for the user over SSH. */
  authorizedKeys?: string[];
  /** Directory for the CA file; a temporary one (removed by stop) when absent. */
  stateDir?: string;
  /** NTLM domain the hosts announce (default AETHERV). */
  domainName?: string;
  maxShellsPerUser?: number;
  idleTimeoutMs?: number;
  maxEnvelopeSizeKb?: number;
}

export interface Simulation<F extends FleetLike = FleetLike> {
  /** The `GET /hosts` rows (live: reflects down/up). */
  readonly hosts: HostRow[];
  readonly credentials: Credentials;
  readonly controlUrl: string;
  readonly fleet: F;
  /** OpenSSH known_hosts text for every host. */
  readonly knownHosts: string;
  readonly estate: Estate;
  stop(): Promise<void>;
}

export const DEFAULT_PORTS = { winrm: 5985, winrmHttps: 5986, ssh: 22, control: 0 } as const;

export function generatedPassword(): string {
  // Windows complexity rules: upper, lower, digit and symbol are all present.
  return `Sim-${randomBytes(15).toString('base64url')}-9a`;
}

export async function startSimulation<F extends FleetLike>(fleet: F, options: SimulationOptions = {}): Promise<Simulation<F>> {
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const ownDir = options.stateDir ? undefined : mkdtempSync(join(tmpdir(), 'aetherv-sim-'));
  const caFile = join(options.stateDir ?? ownDir!, 'simulator-ca.pem');
  const credentials: Credentials = { username: options.username ?? 'aetherv-admin', password: options.password ?? generatedPassword(), caFile };
  const estate = await startEstate(fleet.hosts, {
    addressBase: options.addressBase ?? '127.0.10.1',
    caFile,
    ports: { winrm: ports.winrm, winrmHttps: ports.winrmHttps, ssh: ports.ssh },
    username: credentials.username,
    password: credentials.password,
    allowUnencrypted: options.allowUnencrypted ?? true,
    authorizedKeys: options.authorizedKeys ?? [],
    domainName: options.domainName ?? 'AETHERV',
    ...(options.kerberos ? { kerberos: options.kerberos } : {}),
    ...(options.maxShellsPerUser !== undefined ? { maxShellsPerUser: options.maxShellsPerUser } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.maxEnvelopeSizeKb !== undefined ? { maxEnvelopeSizeKb: options.maxEnvelopeSizeKb } : {}),
  });
  const byName = new Map(fleet.hosts.map((h) => [h.name.toLowerCase(), h]));
  let control;
  try {
    control = await startControlApi({
      rows: () => estate.rows(),
      credentials,
      down: async (name) => {
        const e = estate.endpoint(name);
        if (e) await e.stop();
        return e !== undefined;
      },
      up: async (name) => {
        const e = estate.endpoint(name);
        if (e) await e.start();
        return e !== undefined;
      },
      setFaults: (name, faults) => {
        const h = byName.get(name.toLowerCase());
        if (h) h.faults = faults;
        return h !== undefined;
      },
      model: (name) => byName.get(name.toLowerCase())?.model(),
      setAgent: (name, agent) => {
        const h = byName.get(name.toLowerCase());
        if (!h?.setAgent) return false;
        h.setAgent(agent);
        return true;
      },
      oplog: (filter) => fleet.oplog(filter),
      reset: async () => {
        fleet.reset();
        for (const e of estate.endpoints) {
          e.host.faults = { ...NO_FAULTS, operations: {} };
          e.winrm.shells.clear();
          // The fleet's reset marks every host up; listeners of downed hosts must follow.
          await e.start();
        }
      },
    }, ports.control);
  } catch (error) {
    await estate.stop();
    throw error;
  }
  const knownHosts = estate.knownHosts();
  let stopped = false;
  return {
    get hosts() { return estate.rows(); },
    credentials,
    controlUrl: control.url,
    fleet,
    knownHosts,
    estate,
    async stop() {
      if (stopped) return;
      stopped = true;
      await control.close();
      await estate.stop();
      await fleet.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
