/** The SSH transport's public entry. */
export { createSshTransport, SshTransport, type SshTransportOptions, type SshLogger } from './transport.ts';
export { parseKnownHosts, hostEntryName, fingerprint, type KnownHosts, type KnownHostKey } from './known-hosts.ts';
export { connectSsh, type SshConnection, type SshConnectTarget } from './connect.ts';
