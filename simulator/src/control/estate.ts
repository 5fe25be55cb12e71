/**
 * Puts a set of simulated hosts on the network: one CA and a certificate per host, one SSH
 * host key per host, and every host's listeners started (bounded parallelism so a thousand
 * hosts start without a thundering herd).
 */
import { createCertificateAuthority } from '../tls/ca.ts';
import { generateHostKey } from '../ssh/server.ts';
import { hostAddresses } from './addresses.ts';
import { HostEndpoints, type EndpointHost, type EndpointSettings, type HostRow } from './endpoints.ts';

export interface EstateOptions extends EndpointSettings {
  addressBase: string;
  /** Where the CA certificate (PEM) is written for clients to trust. */
  caFile: string;
}

export interface Estate {
  readonly endpoints: HostEndpoints[];
  endpoint(name: string): HostEndpoints | undefined;
  rows(): HostRow[];
  /** OpenSSH known_hosts lines for every host: address and name, `[x]:port` form when the port is not 22. */
  knownHosts(): string;
  stop(): Promise<void>;
}

const START_PARALLELISM = 32;

export async function startEstate(hosts: readonly EndpointHost[], options: EstateOptions): Promise<Estate> {
  const addresses = hostAddresses(options.addressBase, hosts.length);
  const ca = await createCertificateAuthority();
  await ca.writeCaFile(options.caFile);
  const endpoints: HostEndpoints[] = [];
  const hostKeys = new Map<string, string>();
  for (const [i, host] of hosts.entries()) {
    const address = addresses[i]!;
    const hostKey = generateHostKey();
    hostKeys.set(host.name, hostKey.publicKey);
    endpoints.push(new HostEndpoints(host, address, await ca.issue(host.name, address), hostKey, options));
  }
  const byName = new Map(endpoints.map((e) => [e.host.name.toLowerCase(), e]));
  const stopAll = (): Promise<void> => Promise.all(endpoints.map((e) => e.stop())).then(() => undefined);
  try {
    for (let i = 0; i < endpoints.length; i += START_PARALLELISM) {
      await Promise.all(endpoints.slice(i, i + START_PARALLELISM).map((e) => e.start()));
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    endpoints,
    endpoint: (name) => byName.get(name.toLowerCase()),
    rows: () => endpoints.map((e) => e.row),
    knownHosts: () => endpoints.map((e) => {
      const { address, sshPort } = e.row;
      const names = sshPort === 22 ? `${address},${e.host.name}` : `[${address}]:${sshPort},[${e.host.name}]:${sshPort}`;
      return `${names} ${hostKeys.get(e.host.name)}\n`;
    }).join(''),
    stop: stopAll,
  };
}
