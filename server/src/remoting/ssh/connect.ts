/**
 * Opens one authenticated ssh2 connection to a host: host key checked against known_hosts
 * (unless explicitly disabled), password or private key authentication, and every failure
 * turned into the REMOTE_* error an operator can act on.
 */
import { readFile } from 'node:fs/promises';
import { Client, type ConnectConfig } from 'ssh2';
import { AppError } from '../../errors.ts';
import type { SshSettings } from '../settings.ts';
import { algorithmsForKeyType, fingerprint, keyTypeOfBlob, parseKnownHosts, type KnownHostKey } from './known-hosts.ts';

export interface SshConnectTarget {
  /** The host's name: what known_hosts and messages use. */
  host: string;
  /** Where to connect (an IP), when it differs from the name. */
  address?: string;
  settings: SshSettings;
  connectTimeoutMs: number;
}

export interface SshConnection {
  client: Client;
  /** The host key the server presented (type and fingerprint), for diagnostics. */
  hostKey: { type: string; fingerprint: string };
}

export async function connectSsh(target: SshConnectTarget): Promise<SshConnection> {
  const { host, settings } = target;
  const trusted = settings.insecureSkipHostKeyCheck ? undefined : await loadTrustedKeys(target);
  const config = await authConfig(host, settings);
  const client = new Client();
  let presented: Buffer | undefined;
  let rejectedKey: AppError | undefined;

  const connectConfig: ConnectConfig = {
    ...config,
    host: target.address ?? host,
    port: settings.port,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 3,
    tryKeyboard: config.password !== undefined,
    hostVerifier: (key: Buffer) => {
      presented = key;
      if (!trusted) return true;
      rejectedKey = checkHostKey(host, settings.port, key, trusted, settings.knownHostsFile);
      return rejectedKey === undefined;
    },
  };
  if (trusted && trusted.some((k) => !k.revoked)) {
    // Offer only the key types we can verify, as OpenSSH does, so a server with several
    // host keys presents the one known_hosts has.
    const algorithms = [...new Set(trusted.filter((k) => !k.revoked).flatMap((k) => algorithmsForKeyType(k.type)))];
    connectConfig.algorithms = { serverHostKey: algorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] };
  }

  return await new Promise<SshConnection>((resolve, reject) => {
    const onError = (error: Error & { level?: string; code?: string }) => {
      client.removeListener('ready', onReady);
      client.end();
      reject(rejectedKey ?? mapConnectError(host, settings.port, error));
    };
    const onReady = () => {
      client.removeListener('error', onError);
      const blob = presented ?? Buffer.alloc(0);
      resolve({ client, hostKey: { type: keyTypeOfBlob(blob), fingerprint: fingerprint(blob) } });
    };
    // Errors after the handshake belong to whoever holds the connection; never let one crash the process.
    client.on('error', () => undefined);
    client.once('error', onError);
    client.once('ready', onReady);
    // Each agent call is a few small request/response packets: without TCP_NODELAY, Nagle's
    // algorithm and delayed ACKs add ~40 ms to every exchange. ssh2 exposes no option for it.
    client.once('connect', () => (client as unknown as { _sock?: { setNoDelay?: (on: boolean) => void } })._sock?.setNoDelay?.(true));
    if (config.password !== undefined) {
      const password = config.password;
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)));
    }
    client.connect(connectConfig);
  });
}

async function loadTrustedKeys(target: SshConnectTarget): Promise<KnownHostKey[]> {
  const { host, settings } = target;
  if (!settings.knownHostsFile) {
    throw new AppError('REMOTE_HOST_KEY', `No known_hosts file is configured to verify ${host}'s SSH host key (set SSH_KNOWN_HOSTS)`, { details: { host } });
  }
  let text: string;
  try {
    text = await readFile(settings.knownHostsFile, 'utf8');
  } catch (error) {
    throw new AppError('REMOTE_HOST_KEY', `Cannot read known_hosts file ${settings.knownHostsFile}: ${(error as Error).message}`, { details: { host } });
  }
  const knownHosts = parseKnownHosts(text);
  let keys = knownHosts.keysFor(host, settings.port);
  // An IP we were told to use stands for the same host (as OpenSSH's CheckHostIP).
  if (keys.length === 0 && target.address && target.address !== host) keys = knownHosts.keysFor(target.address, settings.port);
  return keys;
}

function checkHostKey(host: string, port: number, key: Buffer, trusted: KnownHostKey[], file: string | undefined): AppError | undefined {
  const matches = trusted.filter((k) => k.blob.equals(key));
  const details = { host, presentedKey: `${keyTypeOfBlob(key)} ${fingerprint(key)}` };
  if (matches.some((k) => k.revoked)) return new AppError('REMOTE_HOST_KEY', `SSH host key of ${host}:${port} (${fingerprint(key)}) is marked @revoked in known_hosts`, { details });
  if (matches.length > 0) return undefined;
  if (trusted.every((k) => k.revoked)) {
    return new AppError('REMOTE_HOST_KEY', `${file} has no host key for ${host} port ${port} (the host offers ${keyTypeOfBlob(key)} ${fingerprint(key)}); verify it on the host, then add it (ssh-keyscan -p ${port} ${host})`, { details });
  }
  return new AppError('REMOTE_HOST_KEY', `SSH host key of ${host}:${port} (${keyTypeOfBlob(key)} ${fingerprint(key)}) does not match known_hosts: the host was reinstalled or someone is in the middle`, { details });
}

async function authConfig(host: string, settings: SshSettings): Promise<{ username: string; password?: string; privateKey?: Buffer }> {
  if (!settings.username) throw new AppError('REMOTE_AUTH', `No SSH user name configured for ${host} (set SSH_USERNAME)`, { details: { host } });
  const config: { username: string; password?: string; privateKey?: Buffer } = { username: settings.username };
  if (settings.password !== undefined && settings.password !== '') config.password = settings.password;
  if (settings.privateKeyFile) {
    try {
      config.privateKey = await readFile(settings.privateKeyFile);
    } catch (error) {
      throw new AppError('REMOTE_AUTH', `Cannot read SSH private key file ${settings.privateKeyFile}: ${(error as Error).message}`, { details: { host } });
    }
  }
  if (config.password === undefined && config.privateKey === undefined) {
    throw new AppError('REMOTE_AUTH', `No SSH password or private key configured for ${host} (set SSH_PASSWORD or SSH_PRIVATE_KEY_FILE)`, { details: { host } });
  }
  return config;
}

export function mapConnectError(host: string, port: number, error: Error & { level?: string; code?: string }): AppError {
  const details = { host, port };
  const cause = error;
  if (error.level === 'client-authentication') {
    return new AppError('REMOTE_AUTH', `SSH authentication to ${host} failed: the user name, password or key was rejected`, { cause, details });
  }
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new AppError('REMOTE_DNS', `Host name ${host} does not resolve`, { cause, details });
    case 'ECONNREFUSED':
      return new AppError('REMOTE_CONNECT', `${host} refused the connection on port ${port} (is sshd running and the firewall open?)`, { cause, details });
    case 'ECONNRESET':
    case 'EPIPE':
      return new AppError('REMOTE_CONNECTION_DROPPED', `${host} closed the SSH connection during the handshake`, { cause, details });
  }
  if (/timed out/i.test(error.message)) {
    return new AppError('REMOTE_CONNECT', `No SSH handshake from ${host}:${port} in time`, { cause, details });
  }
  if (error.level === 'protocol' || error.level === 'handshake') {
    return new AppError('REMOTE_PROTOCOL', `SSH handshake with ${host} failed: ${error.message}`, { cause, details });
  }
  return new AppError('REMOTE_CONNECT', `Cannot connect to ${host}:${port} over SSH: ${error.message}`, { cause, details });
}
