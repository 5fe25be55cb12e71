/**
 * End-to-end harness for the WinRM transport, on loopback with ephemeral ports:
 * - startFleetSim(): the simulator's public entry (startSimulator) — a simulated Hyper-V host
 *   with WinRM HTTP/HTTPS, its own CA, and the control API for faults and down/up;
 * - startCommandSim(): the same simulator listeners in front of the simulator's small testing
 *   command set (adds `sleep MS`, `fail CODE`), for deadlines and exit codes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../simulator/src/index.ts';
import { startEstate } from '../../simulator/src/control/estate.ts';
import { testingHost } from '../../simulator/src/control/testing-host.ts';
import { NO_FAULTS, type HostFaults } from '../../simulator/src/contracts.ts';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings, type WinrmSettings } from '../../server/src/remoting/settings.ts';

export interface WinrmSim {
  name: string;
  address: string;
  httpPort: number;
  httpsPort: number;
  caFile: string;
  username: string;
  password: string;
  setFaults(faults: Partial<HostFaults>): Promise<void>;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export interface SimOptions {
  kerberos?: { keytab: string; realm?: string; servicePrincipalPrefix?: string };
  maxShellsPerUser?: number;
}

export async function startFleetSim(options: SimOptions = {}): Promise<WinrmSim> {
  const sim = await startSimulator({ hosts: 1, vmsPerHost: 1, ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 }, ...options });
  const row = sim.hosts[0]!;
  const control = async (method: string, path: string, body?: unknown): Promise<void> => {
    const res = await fetch(`${sim.controlUrl}${path}`, {
      method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!res.ok) throw new Error(`control API ${method} ${path}: ${res.status} ${await res.text()}`);
  };
  return {
    name: row.name, address: row.address, httpPort: row.winrmPort, httpsPort: row.winrmHttpsPort,
    caFile: sim.credentials.caFile, username: sim.credentials.username, password: sim.credentials.password,
    setFaults: (faults) => control('PUT', `/hosts/${encodeURIComponent(row.name)}/faults`, faults),
    down: () => control('POST', `/hosts/${encodeURIComponent(row.name)}/down`),
    up: () => control('POST', `/hosts/${encodeURIComponent(row.name)}/up`),
    stop: () => sim.stop(),
  };
}

export async function startCommandSim(): Promise<WinrmSim & { spawned: Array<{ commandLine: string }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'winrm-e2e-'));
  const caFile = join(dir, 'ca.pem');
  const host = testingHost('hv99.lab.test');
  const username = 'LAB\\admin';
  const password = 'S3cret-pass!';
  const estate = await startEstate([host], {
    addressBase: '127.0.10.1', caFile, ports: { winrm: 0, winrmHttps: 0, ssh: 0 },
    username, password, allowUnencrypted: true, authorizedKeys: [], domainName: 'LAB',
  });
  const row = estate.rows()[0]!;
  const endpoint = estate.endpoint(host.name)!;
  return {
    name: host.name, address: row.address, httpPort: row.winrmPort, httpsPort: row.winrmHttpsPort, caFile, username, password,
    spawned: host.commands.spawned,
    setFaults: async (faults) => { host.faults = { ...NO_FAULTS, ...faults }; },
    down: () => endpoint.stop(),
    up: () => endpoint.start(),
    stop: async () => {
      await estate.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Settings for the sim's HTTPS listener with Basic unless overridden. */
export function settingsFor(sim: WinrmSim, overrides: Partial<WinrmSettings> = {}): RemotingSettings {
  const useTls = overrides.useTls ?? true;
  return {
    transport: 'winrm',
    connectTimeoutMs: 3000,
    ssh: DEFAULT_SSH,
    winrm: {
      ...DEFAULT_WINRM, auth: 'basic', username: sim.username, password: sim.password, caFile: sim.caFile,
      port: useTls ? sim.httpsPort : sim.httpPort, operationTimeoutSeconds: 5, ...overrides, useTls,
    },
  };
}

/** Records exchange actions; `since(mark)` gives the actions after a mark. */
export class ExchangeLog {
  readonly actions: string[] = [];
  readonly counter = (action: string): void => { this.actions.push(action); };
  mark(): number { return this.actions.length; }
  since(mark: number): string[] { return this.actions.slice(mark); }
  count(action: string): number { return this.actions.filter((a) => a === action).length; }
}

export const tick = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));
