/**
 * The network face of one simulated host: WinRM over HTTP and HTTPS and SSH, each on the
 * host's own loopback address. `stop()`/`start()` are the control API's down/up: listeners
 * close, connections drop, shells vanish (as after a reboot), then the same ports come back.
 */
import http from 'node:http';
import https from 'node:https';
import type { CommandHost, HostFaults } from '../contracts.ts';
import { SshService, type SshHostKey } from '../ssh/server.ts';
import type { HostCertificate } from '../tls/ca.ts';
import type { KerberosAcceptorOptions } from '../winrm/auth/kerberos.ts';
import { WinrmService } from '../winrm/http.ts';

/** What the endpoints need of a simulated host (a subset of the fleet's SimulatedHost). */
export interface EndpointHost {
  readonly name: string;
  readonly cluster: string | null;
  readonly commands: CommandHost;
  faults: HostFaults;
  up: boolean;
}

export interface PortSettings { winrm: number; winrmHttps: number; ssh: number }

export interface EndpointSettings {
  ports: PortSettings;
  username: string;
  password: string;
  allowUnencrypted: boolean;
  /** Kerberos acceptance; servicePrincipalPrefix `HTTP` → `HTTP@<host name>`, '' → any key in the keytab. */
  kerberos?: { keytab: string; servicePrincipalPrefix?: string };
  authorizedKeys: string[];
  domainName: string;
  maxShellsPerUser?: number;
  idleTimeoutMs?: number;
  maxEnvelopeSizeKb?: number;
}

/** One row of `GET /hosts`. */
export interface HostRow {
  name: string;
  address: string;
  winrmPort: number;
  winrmHttpsPort: number;
  sshPort: number;
  up: boolean;
  cluster: string | null;
}

/** Windows' WinRM keeps idle keep-alive connections for about two minutes. */
const KEEP_ALIVE_MS = 120_000;

export class HostEndpoints {
  readonly winrm: WinrmService;
  readonly ssh: SshService;
  private readonly ports: PortSettings;
  private httpServer: http.Server | undefined;
  private httpsServer: https.Server | undefined;

  constructor(readonly host: EndpointHost, readonly address: string, private readonly tls: HostCertificate, hostKey: SshHostKey, settings: EndpointSettings) {
    this.ports = { ...settings.ports };
    let kerberos: KerberosAcceptorOptions | undefined;
    if (settings.kerberos) {
      const prefix = settings.kerberos.servicePrincipalPrefix ?? '';
      kerberos = { keytab: settings.kerberos.keytab, servicePrincipal: prefix ? `${prefix}@${host.name.toLowerCase()}` : '' };
    }
    this.winrm = new WinrmService({
      name: host.name,
      commands: host.commands,
      faults: () => host.faults,
      auth: {
        username: settings.username, password: settings.password, allowUnencrypted: settings.allowUnencrypted,
        computerName: host.name, domainName: settings.domainName, ...(kerberos ? { kerberos } : {}),
      },
      ...(settings.maxShellsPerUser !== undefined ? { maxShellsPerUser: settings.maxShellsPerUser } : {}),
      ...(settings.idleTimeoutMs !== undefined ? { idleTimeoutMs: settings.idleTimeoutMs } : {}),
      ...(settings.maxEnvelopeSizeKb !== undefined ? { maxEnvelopeSizeKb: settings.maxEnvelopeSizeKb } : {}),
    });
    this.ssh = new SshService({
      name: host.name, commands: host.commands, faults: () => host.faults,
      username: settings.username, password: settings.password, authorizedKeys: settings.authorizedKeys, hostKey,
    });
  }

  get row(): HostRow {
    return {
      name: this.host.name, address: this.address, winrmPort: this.ports.winrm, winrmHttpsPort: this.ports.winrmHttps,
      sshPort: this.ports.ssh, up: this.host.up, cluster: this.host.cluster,
    };
  }

  /** Listens on the configured ports; ephemeral (0) ports are fixed at first start and reused after. */
  async start(): Promise<void> {
    if (this.httpServer) {
      this.host.up = true;
      return;
    }
    const plain = http.createServer(this.winrm.listener(false, () => `http://${this.address}:${this.ports.winrm}`));
    const secure = https.createServer({ key: this.tls.key, cert: this.tls.cert }, this.winrm.listener(true, () => `https://${this.address}:${this.ports.winrmHttps}`));
    for (const s of [plain, secure]) {
      s.keepAliveTimeout = KEEP_ALIVE_MS;
      s.headersTimeout = KEEP_ALIVE_MS + 1000;
      s.requestTimeout = 0;
      s.on('clientError', (_e, socket) => socket.destroy());
    }
    this.httpServer = plain;
    this.httpsServer = secure;
    try {
      this.ports.winrm = await listen(plain, this.address, this.ports.winrm);
      this.ports.winrmHttps = await listen(secure, this.address, this.ports.winrmHttps);
      this.ports.ssh = await this.ssh.listen(this.address, this.ports.ssh);
      this.host.up = true;
    } catch (error) {
      await this.stop();
      throw new Error(`${this.host.name}: cannot listen on ${this.address}: ${(error as Error).message}`, { cause: error });
    }
  }

  async stop(): Promise<void> {
    this.host.up = false;
    const servers = [this.httpServer, this.httpsServer].filter((s): s is http.Server => s !== undefined);
    this.httpServer = undefined;
    this.httpsServer = undefined;
    this.winrm.shells.clear();
    await Promise.all([
      ...servers.map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      })),
      this.ssh.close(),
    ]);
  }
}

function listen(server: http.Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
