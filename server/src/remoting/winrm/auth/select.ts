/**
 * Chooses the authentication scheme from settings and refuses unsafe combinations: Basic
 * and NTLM over plain HTTP only with an explicit opt-in, Kerberos never over plain HTTP.
 */
import { AppError } from '../../../errors.ts';
import type { WinrmSettings } from '../../settings.ts';
import { basicAuth } from './basic.ts';
import { kerberosAuth } from './kerberos.ts';
import { ntlmAuth } from './ntlm.ts';
import type { AuthScheme } from './scheme.ts';

export function checkTransportSecurity(host: string, settings: WinrmSettings): void {
  if (settings.useTls) return;
  if (settings.auth === 'kerberos') {
    throw new AppError('CONFIG_INVALID', `Refusing Kerberos over plain HTTP to ${host}:${settings.port}: WinRM over HTTP requires Kerberos message encryption, which this client does not implement, so the traffic would not be accepted or protected. Use the HTTPS listener (5986).`, { details: { host } });
  }
  if (!settings.allowUnencrypted) {
    throw new AppError('CONFIG_INVALID', `Refusing plain HTTP to ${host}:${settings.port} with ${settings.auth}: requests (including credentials for Basic, and the agent's stdin) would travel unencrypted. Use HTTPS (5986), or set WINRM_ALLOW_UNENCRYPTED=true for a laboratory.`, { details: { host } });
  }
}

export function createAuthScheme(host: string, settings: WinrmSettings): AuthScheme {
  checkTransportSecurity(host, settings);
  switch (settings.auth) {
    case 'basic':
      return basicAuth(settings.username, settings.password);
    case 'ntlm':
      return ntlmAuth(settings.username, settings.password);
    case 'kerberos':
      return kerberosAuth({
        host,
        delegate: settings.delegate,
        ...(settings.servicePrincipal === undefined ? {} : { servicePrincipal: settings.servicePrincipal }),
        ...(settings.username?.includes('@') ? { principal: settings.username } : {}),
      });
  }
}
