/** HTTP Basic: user and password on every request, so only ever over TLS (or explicitly allowed HTTP). */
import { AppError } from '../../../errors.ts';
import type { AuthScheme } from './scheme.ts';

export function basicAuth(username: string | undefined, password: string | undefined): AuthScheme {
  if (!username || password === undefined) {
    throw new AppError('CONFIG_INVALID', 'WinRM Basic authentication needs WINRM_USERNAME and WINRM_PASSWORD');
  }
  const header = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return {
    name: 'basic',
    connectionBound: false,
    challengeSchemes: ['Basic'],
    requestHeader: () => header,
    rejectionHint: `Basic credentials for "${username}" were refused (wrong user/password, a domain account — Basic only accepts local accounts — or Basic disabled: winrm set winrm/config/service/auth @{Basic="true"}).`,
  };
}
