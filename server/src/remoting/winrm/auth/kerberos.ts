/**
 * Kerberos through SPNEGO ("Negotiate") with the MIT GSS-API via the `kerberos` addon.
 * Credentials come from the ccache or a client keytab (KRB5_CLIENT_KTNAME): no password is
 * handled here. With `delegate`, a forwardable ticket goes to the host (double hop to
 * cluster storage). Mutual authentication: the host's final token is verified.
 */
import kerberos from 'kerberos';
import { AppError } from '../../../errors.ts';
import type { AuthHandshake, AuthScheme, Challenge } from './scheme.ts';

export interface KerberosOptions {
  host: string;
  /** Defaults to HTTP@<host>. */
  servicePrincipal?: string;
  /** Client principal (user@REALM); the default credential otherwise. */
  principal?: string;
  delegate: boolean;
}

export function kerberosAuth(options: KerberosOptions): AuthScheme {
  const service = hostBasedService(options.servicePrincipal ?? `HTTP@${options.host}`);
  return {
    name: 'kerberos',
    connectionBound: true,
    challengeSchemes: ['Negotiate', 'Kerberos'],
    startHandshake: async () => {
      const flags = kerberos.GSS_C_MUTUAL_FLAG | (options.delegate ? kerberos.GSS_C_DELEG_FLAG : 0);
      // The addon reads `flags` (its .d.ts calls it gssFlag).
      const clientOptions = { flags, mechOID: kerberos.GSS_MECH_OID_SPNEGO, ...(options.principal ? { principal: options.principal } : {}) };
      try {
        const client = await kerberos.initializeClient(service, clientOptions as kerberos.InitializeClientOptions);
        return new KerberosHandshake(client, service);
      } catch (err) {
        throw gssError(err, service);
      }
    },
    rejectionHint: `The host refused the Kerberos ticket for ${service} (wrong service principal, clock skew, or the account may not use WinRM).`,
  };
}

class KerberosHandshake implements AuthHandshake {
  readonly carriesBody = true;
  private readonly client: kerberos.KerberosClient;
  private readonly service: string;

  constructor(client: kerberos.KerberosClient, service: string) {
    this.client = client;
    this.service = service;
  }

  async step(challenge: Challenge | undefined): Promise<string> {
    if (challenge !== undefined && challenge.token === undefined) {
      throw new AppError('REMOTE_AUTH', `The host rejected our Kerberos ticket for ${this.service}`);
    }
    try {
      const token = await this.client.step(challenge?.token ?? '');
      return `Negotiate ${token}`;
    } catch (err) {
      throw gssError(err, this.service);
    }
  }

  async finish(token: string | undefined): Promise<void> {
    if (this.client.contextComplete) return;
    if (token === undefined) {
      throw new AppError('REMOTE_AUTH', `Kerberos mutual authentication with ${this.service} failed: the host sent no token to prove its identity`);
    }
    try {
      await this.client.step(token);
    } catch (err) {
      throw new AppError('REMOTE_AUTH', `Kerberos mutual authentication with ${this.service} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** GSS wants "service@host"; accept the "service/host[@REALM]" form people copy from setspn too. */
export function hostBasedService(principal: string): string {
  const slash = principal.indexOf('/');
  if (slash < 0) return principal;
  const at = principal.indexOf('@', slash);
  return `${principal.slice(0, slash)}@${principal.slice(slash + 1, at < 0 ? undefined : at)}`;
}

function gssError(err: unknown, service: string): AppError {
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('REMOTE_AUTH', `Kerberos could not get a ticket for ${service}: ${message}. Check the credential cache (kinit) or KRB5_CLIENT_KTNAME, the realm configuration (KRB5_CONFIG), and that the service principal exists.`, { cause: err });
}
