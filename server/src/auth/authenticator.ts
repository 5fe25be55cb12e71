/**
 * Resolves the caller of a request, trying in order: the laboratory mode (sign-in disabled),
 * the Authorization header (static API_TOKEN, a named API token, or a JWT from the identity
 * provider — when a header is present it alone decides), then the session cookie.
 */
import { isAppError } from '../errors.ts';
import type { Principal, PrincipalSources } from './principal.ts';
import { LABORATORY_ADMIN, STATIC_TOKEN_PRINCIPAL, bearerOf, secretEquals } from './principal.ts';
import type { ApiTokenStore } from './api-tokens.ts';
import { TOKEN_PREFIX } from './api-tokens.ts';
import type { BearerVerifier } from './bearer.ts';
import { looksLikeJwt } from './bearer.ts';
import { principalFromClaims, type RoleClaimMapping } from './claims.ts';
import { sessionPrincipal, type SessionUser } from './session.ts';

export interface AuthenticatorOptions extends PrincipalSources {
  tokens?: ApiTokenStore;
  bearer?: BearerVerifier;
  roleClaims: RoleClaimMapping;
}

export type AuthResult =
  | { principal: Principal; reason?: undefined }
  /** reason: why presented credentials were refused (for logs and the audit; never the credential); null = none presented. */
  | { principal: null; reason: string | null };

export class Authenticator {
  constructor(readonly options: AuthenticatorOptions) {}

  get laboratory(): boolean {
    return !this.options.oidcEnabled;
  }

  async authenticate(input: { authorization?: string; session?: SessionUser }): Promise<AuthResult> {
    if (!this.options.oidcEnabled) return { principal: LABORATORY_ADMIN };
    if (input.authorization !== undefined) return this.fromAuthorization(input.authorization);
    if (input.session) return { principal: sessionPrincipal(input.session) };
    return { principal: null, reason: null };
  }

  private async fromAuthorization(header: string): Promise<AuthResult> {
    const token = bearerOf(header);
    if (!token) return { principal: null, reason: 'the Authorization header is not "Bearer <token>"' };
    const { apiToken, tokens, bearer } = this.options;
    if (apiToken && secretEquals(token, apiToken)) return { principal: STATIC_TOKEN_PRINCIPAL };
    if (token.startsWith(TOKEN_PREFIX)) {
      const principal = tokens ? await tokens.authenticate(token) : null;
      return principal ? { principal } : { principal: null, reason: 'unknown, expired or revoked API token' };
    }
    if (bearer && looksLikeJwt(token)) {
      try {
        const claims = await bearer.verify(token);
        return { principal: principalFromClaims(claims as Record<string, unknown>, this.options.roleClaims, 'bearer') };
      } catch (error) {
        // The provider unreachable (discovery) is our problem, not the caller's: 503, not 401.
        if (isAppError(error)) throw error;
        return { principal: null, reason: `bearer token rejected: ${jwtReason(error)}` };
      }
    }
    return { principal: null, reason: 'unrecognised bearer token' };
  }
}

/** A short reason from jose's errors (their messages name claims, never token contents). */
function jwtReason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return `${e.code ?? 'ERR'}: ${(e.message ?? 'invalid').slice(0, 200)}`;
}
