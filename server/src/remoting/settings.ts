/**
 * Everything a transport needs to reach hosts, already validated. The config module maps
 * environment variables (DESIGN §10) onto this; `aetherv doctor` lets flags override it.
 */
export type WinrmAuth = 'basic' | 'ntlm' | 'kerberos';

export interface WinrmSettings {
  auth: WinrmAuth;
  /** 5986 for HTTPS, 5985 for HTTP. */
  port: number;
  /** true = HTTPS. HTTP is only allowed with allowUnencrypted and basic/ntlm. */
  useTls: boolean;
  username?: string;
  password?: string;
  /** PEM file with the CA(s) that sign host certificates; system CAs otherwise. */
  caFile?: string;
  /** Explicit opt-out of certificate verification (laboratories only). */
  insecureSkipTlsVerify: boolean;
  /** WINRM_ALLOW_UNENCRYPTED: permit plain HTTP with Basic/NTLM. */
  allowUnencrypted: boolean;
  /** Kerberos service principal override; default `HTTP@<host>`. */
  servicePrincipal?: string;
  /** Ask for a delegable ticket (GSS_C_DELEG_FLAG) so the host can reach cluster storage. */
  delegate: boolean;
  /** WS-Man OperationTimeout for one Receive, seconds (default 20). */
  operationTimeoutSeconds: number;
  /** Max envelope size in bytes (default 512000). */
  maxEnvelopeSize: number;
}

export interface SshSettings {
  port: number;
  username?: string;
  password?: string;
  privateKeyFile?: string;
  /** OpenSSH known_hosts file; required unless insecureSkipHostKeyCheck. */
  knownHostsFile?: string;
  insecureSkipHostKeyCheck: boolean;
}

export interface RemotingSettings {
  transport: 'winrm' | 'ssh';
  winrm: WinrmSettings;
  ssh: SshSettings;
  /** Connect timeout, ms. */
  connectTimeoutMs: number;
}

export const DEFAULT_WINRM: WinrmSettings = {
  auth: 'kerberos', port: 5986, useTls: true, insecureSkipTlsVerify: false, allowUnencrypted: false,
  delegate: true, operationTimeoutSeconds: 20, maxEnvelopeSize: 512000,
};

export const DEFAULT_SSH: SshSettings = { port: 22, insecureSkipHostKeyCheck: false };
