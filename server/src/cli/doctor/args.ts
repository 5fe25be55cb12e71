/**
 * `aetherv doctor <host>` reads the same variables as the server (DESIGN §10) so it checks
 * exactly what the server would use; flags override them for one run.
 */
import { resolve } from 'node:path';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings, type WinrmAuth } from '../../remoting/settings.ts';

export const DOCTOR_USAGE = `Usage: aetherv doctor <host> [options]

Checks, step by step, that the orchestrator can manage <host>: name resolution, TCP, TLS or
SSH host key, authentication, PowerShell, the Hyper-V module, the installed agent version
and the time a host.info round trip takes. Settings come from the server's variables
(HOST_TRANSPORT, WINRM_*, SSH_*, HOST_INSTALL_DIRECTORY); flags override them.

Options:
  --transport winrm|ssh       HOST_TRANSPORT
  --auth basic|ntlm|kerberos  WINRM_TRANSPORT
  --port N                    WINRM_PORT (5986 = HTTPS, 5985 = HTTP)
  --username NAME             WINRM_USERNAME or SSH_USERNAME
  --password VALUE            WINRM_PASSWORD or SSH_PASSWORD
  --ca-file PEM               WINRM_CA_FILE
  --insecure                  skip TLS certificate / SSH host key verification (laboratories)
  --allow-unencrypted         WINRM_ALLOW_UNENCRYPTED (plain HTTP with basic/ntlm)
  --address IP                connect to this address instead of resolving <host>
  --ssh-port N                SSH_PORT
  --known-hosts FILE          SSH_KNOWN_HOSTS
  --private-key FILE          SSH_PRIVATE_KEY_FILE
  --install-directory PATH    HOST_INSTALL_DIRECTORY
  --timeout SECONDS           connect timeout (default 10)
  --json                      print one JSON document instead of lines
`;

export class DoctorUsageError extends Error {}

export interface DoctorOptions {
  host: string;
  address?: string;
  settings: RemotingSettings;
  installDirectory: string;
  json: boolean;
}

const VALUE_FLAGS = new Set(['--transport', '--auth', '--port', '--username', '--password', '--ca-file', '--address', '--ssh-port', '--known-hosts', '--private-key', '--install-directory', '--timeout']);
const BOOLEAN_FLAGS = new Set(['--insecure', '--allow-unencrypted', '--json']);

export function parseDoctorArgs(argv: string[], env: NodeJS.ProcessEnv): DoctorOptions {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq !== -1) throw new DoctorUsageError(`${name} takes no value`);
      flags.set(name, 'true');
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') throw new DoctorUsageError(`${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new DoctorUsageError(`unknown option ${name}`);
    }
  }
  if (positional.length !== 1) throw new DoctorUsageError(positional.length === 0 ? 'which host? (aetherv doctor <host>)' : `one host at a time (got ${positional.join(', ')})`);
  const host = positional[0]!;

  const pick = (flag: string, variable: string) => flags.get(flag) ?? nonEmpty(env[variable]);
  const transport = oneOf(pick('--transport', 'HOST_TRANSPORT') ?? 'winrm', ['winrm', 'ssh'] as const, '--transport/HOST_TRANSPORT');
  const auth = oneOf(pick('--auth', 'WINRM_TRANSPORT') ?? DEFAULT_WINRM.auth, ['basic', 'ntlm', 'kerberos'] as const, '--auth/WINRM_TRANSPORT') as WinrmAuth;
  const winrmPort = port(pick('--port', 'WINRM_PORT') ?? String(DEFAULT_WINRM.port), '--port/WINRM_PORT');
  const sshPort = port(pick('--ssh-port', 'SSH_PORT') ?? String(DEFAULT_SSH.port), '--ssh-port/SSH_PORT');
  const insecure = flags.has('--insecure');
  const timeoutSeconds = Number(flags.get('--timeout') ?? '10');
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 600) throw new DoctorUsageError('--timeout must be a number of seconds between 0 and 600');
  const caFile = pick('--ca-file', 'WINRM_CA_FILE');
  const knownHosts = pick('--known-hosts', 'SSH_KNOWN_HOSTS');
  const privateKey = pick('--private-key', 'SSH_PRIVATE_KEY_FILE');

  const settings: RemotingSettings = {
    transport,
    connectTimeoutMs: Math.round(timeoutSeconds * 1000),
    winrm: {
      ...DEFAULT_WINRM,
      auth,
      port: winrmPort,
      // 5985 is WinRM's HTTP listener by convention; every other port is HTTPS (as the server's config).
      useTls: winrmPort !== 5985,
      username: pick('--username', 'WINRM_USERNAME'),
      password: pick('--password', 'WINRM_PASSWORD'),
      caFile: caFile ? resolve(caFile) : undefined,
      insecureSkipTlsVerify: insecure || truthy(env.WINRM_INSECURE_SKIP_TLS_VERIFY),
      allowUnencrypted: flags.has('--allow-unencrypted') || truthy(env.WINRM_ALLOW_UNENCRYPTED),
    },
    ssh: {
      ...DEFAULT_SSH,
      port: sshPort,
      username: pick('--username', 'SSH_USERNAME'),
      password: pick('--password', 'SSH_PASSWORD'),
      privateKeyFile: privateKey ? resolve(privateKey) : undefined,
      knownHostsFile: knownHosts ? resolve(knownHosts) : undefined,
      insecureSkipHostKeyCheck: insecure || truthy(env.SSH_INSECURE_SKIP_HOST_KEY_CHECK),
    },
  };
  const options: DoctorOptions = {
    host,
    settings,
    installDirectory: pick('--install-directory', 'HOST_INSTALL_DIRECTORY') ?? 'C:\\Program Files\\Aether-V',
    json: flags.has('--json'),
  };
  const address = flags.get('--address');
  if (address !== undefined) options.address = address;
  return options;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  const lower = value.toLowerCase();
  if (!(allowed as readonly string[]).includes(lower)) throw new DoctorUsageError(`${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  return lower as T;
}

function port(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new DoctorUsageError(`${name} must be a port number 1-65535 (got ${JSON.stringify(value)})`);
  return n;
}
