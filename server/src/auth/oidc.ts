/**
 * The OpenID provider, through openid-client: discovery (lazy, retried after a failure so the
 * API starts even when the provider is down), the authorization-code + PKCE + state + nonce
 * sign-in, and the provider's end-session URL.
 */
import * as client from 'openid-client';
import { AppError } from '../errors.ts';

export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
}

/** What the login step must remember until the callback (kept in a short-lived encrypted cookie). */
export interface LoginState {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

export interface SignInResult {
  /** Validated ID token claims. */
  claims: Record<string, unknown>;
  /** The access token when it is a JWT (it may carry the app roles instead of the ID token). */
  accessToken?: string;
}

/** http:// issuers only on loopback (tests and local providers); everything else must be https. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}

export class OidcClient {
  private pending?: Promise<client.Configuration>;

  constructor(readonly settings: OidcSettings) {}

  /** The discovered configuration; a failed discovery is retried on the next call. */
  configuration(): Promise<client.Configuration> {
    if (!this.pending) {
      const { issuerUrl, clientId, clientSecret } = this.settings;
      const insecure = issuerUrl.startsWith('http://') && isLoopbackUrl(issuerUrl);
      this.pending = client.discovery(new URL(issuerUrl), clientId, clientSecret ? { client_secret: clientSecret } : undefined,
        clientSecret ? client.ClientSecretPost(clientSecret) : client.None(),
        insecure ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 });
      this.pending.catch(() => { this.pending = undefined; });
    }
    return this.pending.catch((error: unknown) => {
      throw new AppError('NOT_READY', `the identity provider at ${this.settings.issuerUrl} cannot be reached for discovery: ${(error as Error).message}`, { cause: error });
    });
  }

  async metadata(): Promise<{ issuer: string; jwksUri?: string; endSession?: string }> {
    const m = (await this.configuration()).serverMetadata();
    return { issuer: m.issuer, jwksUri: m.jwks_uri, endSession: m.end_session_endpoint };
  }

  /** The provider URL to send the browser to, and what to remember for the callback. */
  async beginSignIn(returnTo: string): Promise<{ url: string; state: LoginState }> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state: LoginState = { state: client.randomState(), nonce: client.randomNonce(), verifier, returnTo };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: 'openid profile email',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: state.state,
      nonce: state.nonce,
    });
    return { url: url.href, state };
  }

  /** Exchanges the code; throws when state, nonce, PKCE or the ID token do not check out. */
  async completeSignIn(query: string, expected: LoginState): Promise<SignInResult> {
    const config = await this.configuration();
    // The URL the provider redirected to is rebuilt from configuration, never from the Host header.
    const current = new URL(this.settings.redirectUri);
    current.search = query;
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: expected.verifier, expectedState: expected.state, expectedNonce: expected.nonce, idTokenExpected: true,
    }, { redirect_uri: this.settings.redirectUri });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider returned no ID token');
    const accessToken = tokens.access_token.split('.').length === 3 ? tokens.access_token : undefined;
    return { claims: { ...claims }, ...(accessToken ? { accessToken } : {}) };
  }

  /** The provider's end-session URL, when it has one (RP-initiated logout by client id). */
  async endSessionUrl(postLogoutRedirectUri?: string): Promise<string | undefined> {
    const config = await this.configuration().catch(() => undefined);
    if (!config?.serverMetadata().end_session_endpoint) return undefined;
    const params: Record<string, string> = { client_id: this.settings.clientId };
    if (postLogoutRedirectUri) params.post_logout_redirect_uri = postLogoutRedirectUri;
    return client.buildEndSessionUrl(config, params).href;
  }
}
