/**
 * The second hop. A host reaches an SMB share (`\\server\share\…`) on behalf of the caller only
 * when the caller's identity was delegated to it: WinRM with Kerberos and a forwardable ticket
 * (WINRM_TRANSPORT=kerberos, the default, with delegation), or SSH with password authentication
 * (OpenSSH on Windows logs the user on with the password, a session that holds network
 * credentials). Basic, NTLM, Kerberos without delegation and SSH keys give a session that cannot
 * authenticate to a third machine: every file operation on a share fails with "access denied".
 * Such paths are refused here, before the host is asked, with the reason and the fix.
 */
import { AppError } from '../errors.ts';
import type { RemotingSettings } from './settings.ts';

/** Whether a session on the host can reach SMB shares with the caller's identity. */
export function sharesReachable(settings: RemotingSettings): boolean {
  if (settings.transport === 'ssh') return Boolean(settings.ssh.password);
  return settings.winrm.auth === 'kerberos' && settings.winrm.delegate;
}

/** How the session authenticates, for the message. */
function describe(settings: RemotingSettings): string {
  if (settings.transport === 'ssh') return 'SSH with a key (no password, so no network credentials on the host)';
  if (settings.winrm.auth === 'kerberos') return 'WinRM Kerberos without delegation';
  return `WinRM ${settings.winrm.auth === 'basic' ? 'Basic' : 'NTLM'}`;
}

/** A UNC path (`\\server\share…`); the `\\?\` and `\\.\` device forms are local unless they are `\\?\UNC\`. */
export function isSharePath(path: string): boolean {
  if (/^\\\\\?\\UNC\\/i.test(path)) return true;
  return /^\\\\[^\\?.]/.test(path) || /^\\\\\.[^\\]/.test(path);
}

/** Every string under a key ending in "path" (`path`, `destinationPath`, `bootDiskPath`, `isoPath`…), at any depth. */
export function storagePathsIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return /path$/i.test(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => storagePathsIn(item, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => storagePathsIn(v, k));
  return [];
}

/** Throws VALIDATION_FAILED (details.reason "second-hop") when `params` name a share the host cannot reach. */
export function refuseUnreachableShares(host: string, operation: string, params: unknown, settings: RemotingSettings): void {
  if (sharesReachable(settings)) return;
  const shares = storagePathsIn(params).filter(isSharePath);
  if (shares.length === 0) return;
  throw new AppError(
    'VALIDATION_FAILED',
    `${operation} on ${host} names storage on an SMB share (${shares[0]}), which the host agent cannot reach over ${describe(settings)}: ` +
      'the host has no credentials to pass on to the file server (the second hop). Use local or Cluster Shared Volume storage, ' +
      'or WINRM_TRANSPORT=kerberos with delegation (README, "Hosts and the second hop").',
    { details: { reason: 'second-hop', host, operation, paths: shares } },
  );
}
