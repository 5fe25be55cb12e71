/**
 * The doctor's network steps: does the name resolve, does the port answer, and (WinRM over
 * HTTPS) is the certificate one we would trust — subject, SANs, expiry and chain.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { connect as netConnect, isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type DetailedPeerCertificate } from 'node:tls';
import type { DoctorOptions } from './args.ts';
import { fail, pass, skip, type StepResult } from './report.ts';

type Outcome = Omit<StepResult, 'ms'>;

export async function resolveName(options: DoctorOptions): Promise<{ outcome: Outcome; address?: string }> {
  const { host } = options;
  if (options.address) return { outcome: pass('name resolution', `not resolved: connecting to ${options.address} (--address)`), address: options.address };
  if (isIP(host)) return { outcome: pass('name resolution', `${host} is an IP address`), address: host };
  try {
    const addresses = await lookup(host, { all: true });
    const list = addresses.map((a) => a.address);
    return { outcome: pass('name resolution', `${host} → ${list.join(', ')}`), address: list[0] };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { outcome: fail('name resolution', `${host} does not resolve (${code})`, `check the host name and the DNS suffix search list, or pass --address <ip>`) };
  }
}

export function targetPort(options: DoctorOptions): number {
  return options.settings.transport === 'ssh' ? options.settings.ssh.port : options.settings.winrm.port;
}

export async function tcpConnect(options: DoctorOptions, address: string): Promise<Outcome> {
  const port = targetPort(options);
  const started = Date.now();
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const socket = netConnect({ host: address, port });
    socket.setTimeout(options.settings.connectTimeoutMs, () => {
      socket.destroy();
      resolve(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (e) => resolve(e));
  });
  if (!error) return pass('tcp', `${address}:${port} accepts connections (${Date.now() - started} ms)`);
  const service = options.settings.transport === 'ssh'
    ? 'start the OpenSSH server on the host (Start-Service sshd) and allow the port in Windows Firewall'
    : port === 5985
      ? 'enable the WinRM HTTP listener (winrm quickconfig) and allow the port in Windows Firewall'
      : 'create the WinRM HTTPS listener (winrm quickconfig -transport:https) and allow the port in Windows Firewall';
  if (error.code === 'ECONNREFUSED') return fail('tcp', `${address}:${port} refused the connection`, `${service}; check the port (--${options.settings.transport === 'ssh' ? 'ssh-port' : 'port'})`);
  if (error.code === 'ETIMEDOUT') return fail('tcp', `no answer from ${address}:${port} within ${options.settings.connectTimeoutMs} ms`, `a firewall drops the traffic, or the host is down; ${service}`);
  return fail('tcp', `cannot connect to ${address}:${port}: ${error.code ?? error.message}`, `check routing to the host; ${service}`);
}

export async function tlsCheck(options: DoctorOptions, address: string): Promise<Outcome> {
  const { winrm } = options.settings;
  if (!winrm.useTls) {
    if (winrm.allowUnencrypted) return skip('tls', `plain HTTP on port ${winrm.port} (WINRM_ALLOW_UNENCRYPTED): credentials and data travel unencrypted`);
    return fail('tls', `port ${winrm.port} is WinRM's plain HTTP listener`, 'use the HTTPS listener (5986), or --allow-unencrypted / WINRM_ALLOW_UNENCRYPTED=true in a laboratory');
  }
  const host = options.host;
  let ca: Buffer | undefined;
  if (winrm.caFile) {
    try {
      ca = await readFile(winrm.caFile);
    } catch (error) {
      return fail('tls', `cannot read WINRM_CA_FILE ${winrm.caFile}: ${(error as Error).message}`, 'point --ca-file / WINRM_CA_FILE at a readable PEM file');
    }
  }
  const caName = winrm.caFile ? winrm.caFile : 'the system CAs';
  type Handshake = { cert: DetailedPeerCertificate; authorized: boolean; authorizationError?: string } | { error: Error };
  const handshake = await new Promise<Handshake>((resolve) => {
    const socket = tlsConnect({ host: address, port: winrm.port, ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca } : {}), rejectUnauthorized: false });
    socket.setTimeout(options.settings.connectTimeoutMs, () => {
      socket.destroy();
      resolve({ error: new Error('TLS handshake timed out') });
    });
    socket.once('secureConnect', () => {
      const result = { cert: socket.getPeerCertificate(true), authorized: socket.authorized, authorizationError: socket.authorizationError?.toString() };
      socket.destroy();
      resolve(result);
    });
    socket.once('error', (error) => resolve({ error }));
  });
  if ('error' in handshake) return fail('tls', `TLS handshake with ${address}:${winrm.port} failed: ${handshake.error.message}`, 'check that the port is the WinRM HTTPS listener and that it has a certificate bound');
  const { cert } = handshake;
  const subject = cert.subject?.CN ?? JSON.stringify(cert.subject);
  const issuer = cert.issuer?.CN ?? JSON.stringify(cert.issuer);
  const sans = cert.subjectaltname ?? 'none';
  const validTo = new Date(cert.valid_to);
  const validFrom = new Date(cert.valid_from);
  const days = Math.floor((validTo.getTime() - Date.now()) / 86_400_000);
  const facts = `subject CN=${subject}, SANs ${sans}, issuer CN=${issuer}, expires ${validTo.toISOString().slice(0, 10)} (${days} days)`;
  if (validFrom.getTime() > Date.now()) return fail('tls', `${facts}: not valid before ${validFrom.toISOString()}`, 'check the clocks of this machine and the host');
  if (days < 0) return fail('tls', `${facts}: EXPIRED`, 'renew the WinRM listener certificate on the host');
  if (winrm.insecureSkipTlsVerify) return pass('tls', `${facts}; NOT verified (--insecure / WINRM_INSECURE_SKIP_TLS_VERIFY)`);
  if (!handshake.authorized) {
    return fail('tls', `${facts}: not trusted by ${caName} (${handshake.authorizationError ?? 'unknown reason'})`, 'set --ca-file / WINRM_CA_FILE to the PEM of the CA that issued the host certificate');
  }
  const identityError = checkServerIdentity(host, cert);
  if (identityError) return fail('tls', `${facts}: does not name ${host} (${identityError.message})`, `connect with a name the certificate lists, or reissue it with ${host} in its subject alternative names`);
  return pass('tls', `${facts}; chain verified against ${caName}`);
}
