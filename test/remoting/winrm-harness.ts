/**
 * End-to-end harness for the WinRM transport: real simulator WinRM listeners (HTTP and
 * HTTPS, Basic/NTLM/Kerberos acceptance, its own CA) on loopback, ephemeral ports, with the
 * simulator's small command set (hostname, echo, more, sleep MS, fail CODE, flood BYTES).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEstate, type Estate } from '../../simulator/src/control/estate.ts';
import { testingHost } from '../../simulator/src/control/testing-host.ts';
import { NO_FAULTS, type HostFaults } from '../../simulator/src/contracts.ts';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings, type WinrmSettings } from '../../server/src/remoting/settings.ts';

export const USERNAME = 'LAB\\admin';
export const PASSWORD = 'S3cret-pass!';

export interface WinrmSim {
  name: string;
  address: string;
  httpPort: number;
  httpsPort: number;
  caFile: string;
  estate: Estate;
  host: ReturnType<typeof testingHost>;
  setFaults(faults: Partial<HostFaults>): void;
  stop(): Promise<void>;
}

export async function startWinrmSim(options: { kerberos?: { keytab: string; servicePrincipalPrefix?: string }; maxEnvelopeSizeKb?: number } = {}): Promise<WinrmSim> {
  const dir = mkdtempSync(join(tmpdir(), 'winrm-e2e-'));
  const caFile = join(dir, 'ca.pem');
  const host = testingHost('hv01.lab.test');
  const estate = await startEstate([host], {
    addressBase: '127.0.10.1', caFile,
    ports: { winrm: 0, winrmHttps: 0, ssh: 0 },
    username: USERNAME, password: PASSWORD, allowUnencrypted: true,
    authorizedKeys: [], domainName: 'LAB',
    ...(options.kerberos ? { kerberos: options.kerberos } : {}),
    ...(options.maxEnvelopeSizeKb ? { maxEnvelopeSizeKb: options.maxEnvelopeSizeKb } : {}),
  });
  const row = estate.rows()[0]!;
  return {
    name: host.name, address: row.address, httpPort: row.winrmPort, httpsPort: row.winrmHttpsPort, caFile, estate, host,
    setFaults: (faults) => { host.faults = { ...NO_FAULTS, ...faults }; },
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
      ...DEFAULT_WINRM, auth: 'basic', username: USERNAME, password: PASSWORD, caFile: sim.caFile,
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
