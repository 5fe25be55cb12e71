/**
 * A throwaway MIT Kerberos KDC for tests (Debian krb5-kdc): a realm in a temporary directory,
 * listening on a free loopback port, with service principals (`HTTP/<host>`) in one keytab and
 * a client principal in another, so a client can authenticate with a keytab and no password.
 *
 * krb5.conf turns off DNS canonicalisation and reverse lookups, so the host part of an SPN is
 * used exactly as written (e.g. `HTTP@hv-01.aetherv.test`) and never needs to resolve.
 * Point a process at it with `env` (KRB5_CONFIG, KRB5_CLIENT_KTNAME, KRB5CCNAME); MIT krb5
 * reads those when a context is created, so set them before the first Kerberos call.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KdcOptions {
  realm?: string;
  /** Host names of the services: each gets `HTTP/<host>` in the service keytab. */
  serviceHosts?: string[];
  /** Service class of the SPNs (default HTTP). */
  serviceClass?: string;
  /** Client principal name without realm (default `alice`). */
  clientPrincipal?: string;
}

export interface Kdc {
  realm: string;
  port: number;
  dir: string;
  /** krb5.conf for clients and servers. */
  krb5Config: string;
  /** Keytab holding every service principal (the server's KRB5_KTNAME). */
  serviceKeytab: string;
  /** Keytab of the client principal (a client's KRB5_CLIENT_KTNAME). */
  clientKeytab: string;
  /** `alice@AETHERV.TEST` */
  clientPrincipal: string;
  /** `HTTP/hv-01.aetherv.test@AETHERV.TEST`, … */
  servicePrincipals: string[];
  /** Environment for a process that should use this realm as client and server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, logFile: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) break;
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
  throw new Error(`krb5kdc did not start on 127.0.0.1:${port}${log ? `:\n${log}` : ''}`);
}

export async function startKdc(options: KdcOptions = {}): Promise<Kdc> {
  const realm = options.realm ?? 'AETHERV.TEST';
  const serviceClass = options.serviceClass ?? 'HTTP';
  const hosts = options.serviceHosts ?? ['hv-01.aetherv.test'];
  const client = options.clientPrincipal ?? 'alice';
  const dir = mkdtempSync(join(tmpdir(), 'kdc-'));
  const port = await freePort();
  const krb5Config = join(dir, 'krb5.conf');
  const kdcConf = join(dir, 'kdc.conf');
  const logFile = join(dir, 'kdc.log');
  writeFileSync(krb5Config, `[libdefaults]
  default_realm = ${realm}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  dns_canonicalize_hostname = false
  udp_preference_limit = 1
  forwardable = true
  ticket_lifetime = 1h

[realms]
  ${realm} = {
    kdc = 127.0.0.1:${port}
  }
`);
  writeFileSync(kdcConf, `[kdcdefaults]
  kdc_ports = ${port}
  kdc_tcp_ports = ${port}
  kdc_listen = 127.0.0.1:${port}
  kdc_tcp_listen = 127.0.0.1:${port}

[realms]
  ${realm} = {
    database_name = ${join(dir, 'principal')}
    key_stash_file = ${join(dir, 'stash')}
    acl_file = ${join(dir, 'kadm5.acl')}
    max_life = 10h
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
  }

[logging]
  kdc = FILE:${logFile}
`);
  writeFileSync(join(dir, 'kadm5.acl'), '');
  const env: Record<string, string> = { KRB5_CONFIG: krb5Config, KRB5_KDC_PROFILE: kdcConf };
  const procEnv = { ...process.env, ...env };
  const serviceKeytab = join(dir, 'service.keytab');
  const clientKeytab = join(dir, 'client.keytab');
  const servicePrincipals = hosts.map((h) => `${serviceClass}/${h}@${realm}`);
  let kdc: ChildProcess | undefined;
  try {
    await run('/usr/sbin/kdb5_util', ['create', '-s', '-r', realm, '-P', `master-${Date.now()}`], { env: procEnv });
    const admin = (query: string): Promise<unknown> => run('/usr/sbin/kadmin.local', ['-r', realm, '-q', query], { env: procEnv });
    for (const p of servicePrincipals) {
      await admin(`addprinc -randkey ${p}`);
      await admin(`ktadd -k ${serviceKeytab} ${p}`);
    }
    await admin(`addprinc -randkey ${client}@${realm}`);
    await admin(`ktadd -k ${clientKeytab} ${client}@${realm}`);
    kdc = spawn('/usr/sbin/krb5kdc', ['-n', '-r', realm], { env: procEnv, stdio: 'ignore' });
    await waitForPort(port, kdc, logFile, 10_000);
  } catch (error) {
    kdc?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const child = kdc;
  return {
    realm, port, dir, krb5Config, serviceKeytab, clientKeytab, servicePrincipals,
    clientPrincipal: `${client}@${realm}`,
    env: { KRB5_CONFIG: krb5Config, KRB5_CLIENT_KTNAME: clientKeytab, KRB5CCNAME: `FILE:${join(dir, 'ccache')}`, KRB5_KTNAME: serviceKeytab },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
