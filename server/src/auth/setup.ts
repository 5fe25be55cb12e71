/** Builds the authentication parts from the configuration (DESIGN §8, §10). */
import type { AppConfig } from '../config/load.ts';
import { Authenticator } from './authenticator.ts';
import { BearerVerifier } from './bearer.ts';
import { OidcClient } from './oidc.ts';
import type { ApiTokenStore } from './api-tokens.ts';

export interface Authentication {
  authenticator: Authenticator;
  /** The provider, when OIDC is enabled and configured. */
  oidc?: OidcClient;
  bearer?: BearerVerifier;
}

export function createAuthentication(config: Pick<AppConfig, 'auth' | 'laboratory'>, tokens?: ApiTokenStore): Authentication {
  const { auth } = config;
  // OIDC_ENABLED=false in front of real hosts without ALLOW_INSECURE_LAB_AUTH is a configuration
  // error (config/consistency.ts); until it is fixed nobody is a laboratory administrator.
  const laboratoryMode = !auth.oidcEnabled && (config.laboratory || auth.allowInsecureLabAuth);
  let oidc: OidcClient | undefined;
  let bearer: BearerVerifier | undefined;
  if (auth.oidcEnabled && auth.issuerUrl && auth.clientId) {
    oidc = new OidcClient({ issuerUrl: auth.issuerUrl, clientId: auth.clientId, clientSecret: auth.clientSecret, redirectUri: auth.redirectUri ?? '' });
    const audiences = (auth.apiAudience ?? auth.clientId).split(',').map((s) => s.trim()).filter(Boolean);
    const client = oidc;
    bearer = new BearerVerifier({ metadata: () => client.metadata(), audiences });
  }
  const authenticator = new Authenticator({ oidcEnabled: !laboratoryMode, apiToken: auth.apiToken, tokens, bearer, roleClaims: auth.roleClaims });
  return { authenticator, ...(oidc ? { oidc } : {}), ...(bearer ? { bearer } : {}) };
}
