/** Rules that span several variables: what a single variable's schema cannot say. */
import { normaliseInstallDirectory } from '../agent/command.ts';
import type { AppConfig } from './load.ts';
import type { ConfigProblem, ConfigReport } from './report.ts';

const MIN_KEY_LENGTH = 32;

export function checkConsistency(c: AppConfig, given: Set<string>): ConfigReport {
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const err = (variable: string, message: string, hint: string) => errors.push({ variable, message, hint });
  const warn = (variable: string, message: string, hint: string) => warnings.push({ variable, message, hint });

  try {
    normaliseInstallDirectory(c.agent.installDirectory);
  } catch (error) {
    err('HOST_INSTALL_DIRECTORY', (error as Error).message.replace(/^HOST_INSTALL_DIRECTORY /, ''), 'it becomes one double-quoted argument of every command line run on a host: use an absolute path like C:\\Program Files\\Aether-V');
  }

  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(c.database.url)) {
    err('DATABASE_URL', `unsupported database URL scheme`, 'use sqlite:<file> or postgres://user@host:5432/db');
  }

  if (c.auth.oidcEnabled) {
    for (const [name, value] of [['OIDC_ISSUER_URL', c.auth.issuerUrl], ['OIDC_CLIENT_ID', c.auth.clientId]] as const) {
      if (!value) err(name, 'is required when OIDC_ENABLED=true', 'register the orchestrator at your identity provider and set it, or set OIDC_ENABLED=false in a laboratory');
    }
    if (c.auth.issuerUrl && !isHttpUrl(c.auth.issuerUrl)) err('OIDC_ISSUER_URL', 'is not an http(s) URL', 'use the issuer URL from the provider\'s discovery document');
  } else if (!c.laboratory && !c.auth.allowInsecureLabAuth) {
    err('OIDC_ENABLED', 'sign-in is disabled in front of real hosts (HYPERV_HOSTS is set): every caller would be an administrator', 'configure OIDC, or set ALLOW_INSECURE_LAB_AUTH=true if this really is a laboratory');
  } else {
    warn('OIDC_ENABLED', 'sign-in is disabled: every caller is a laboratory administrator', c.laboratory ? 'fine for the simulated laboratory; configure OIDC before managing real hosts' : 'ALLOW_INSECURE_LAB_AUTH=true is set: never do this in production');
  }

  for (const name of ['SESSION_SECRET', 'SECRETS_KEY'] as const) {
    const value = name === 'SESSION_SECRET' ? c.auth.sessionSecret : c.auth.secretsKey;
    if (value === undefined) {
      if (c.laboratory) warn(name, 'not set: a random key is generated for this run (sessions and stored secrets do not survive a restart)', `set ${name} to ${MIN_KEY_LENGTH}+ random characters (e.g. openssl rand -base64 48)`);
      else err(name, 'is required when managing real hosts', `set it to ${MIN_KEY_LENGTH}+ random characters (e.g. openssl rand -base64 48)`);
    } else if (value.length < MIN_KEY_LENGTH) {
      err(name, `is too short (${value.length} characters)`, `use at least ${MIN_KEY_LENGTH} random characters (e.g. openssl rand -base64 48)`);
    }
  }
  if (c.auth.apiToken !== undefined && c.auth.apiToken.length < 24) {
    err('API_TOKEN', 'is too short to be a safe bearer token', 'use at least 24 random characters (e.g. openssl rand -hex 24)');
  }

  if (!c.laboratory) checkRemoting(c, given, err);
  return { errors, warnings };
}

function checkRemoting(c: AppConfig, given: Set<string>, err: (v: string, m: string, h: string) => void): void {
  const { winrm, ssh, transport } = c.remoting;
  if (transport === 'winrm') {
    if (!winrm.useTls) {
      if (winrm.auth === 'kerberos') err('WINRM_PORT', 'Kerberos over plain HTTP (5985) needs WinRM message encryption, which this client does not implement', 'enable the HTTPS listener (5986) on the hosts');
      else if (!winrm.allowUnencrypted) err('WINRM_ALLOW_UNENCRYPTED', `WINRM_PORT=5985 sends ${winrm.auth} credentials over plain HTTP`, 'use the HTTPS listener (5986), or set WINRM_ALLOW_UNENCRYPTED=true in a laboratory');
    }
    if (winrm.auth !== 'kerberos' && (!winrm.username || !winrm.password)) {
      err(winrm.username ? 'WINRM_PASSWORD' : 'WINRM_USERNAME', `is required for WINRM_TRANSPORT=${winrm.auth}`, 'set WINRM_USERNAME and WINRM_PASSWORD, or use kerberos with a keytab');
    }
  } else {
    if (!ssh.username) err('SSH_USERNAME', 'is required for HOST_TRANSPORT=ssh', 'set the account used to log on to the hosts');
    if (!ssh.password && !ssh.privateKeyFile) err('SSH_PASSWORD', 'HOST_TRANSPORT=ssh needs SSH_PASSWORD or SSH_PRIVATE_KEY_FILE', 'password authentication keeps credential delegation for cluster storage');
    if (!ssh.knownHostsFile && !ssh.insecureSkipHostKeyCheck) err('SSH_KNOWN_HOSTS', 'is required to verify host keys', 'point it at an OpenSSH known_hosts file (ssh-keyscan <host>), or set SSH_INSECURE_SKIP_HOST_KEY_CHECK=true in a laboratory');
  }
  void given;
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
