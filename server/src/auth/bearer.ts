/**
 * Bearer JWTs from the identity provider, validated with jose against the issuer's JWKS:
 * signature (asymmetric algorithms only: never `none`, never HS* — a public key is no secret),
 * exact issuer, audience, exp/nbf with a small clock skew. The JWKS is cached and refetched
 * when a token names an unknown `kid` (createRemoteJWKSet).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
export const CLOCK_SKEW_SECONDS = 60;

export interface BearerSettings {
  /** Issuer and JWKS URL from discovery. */
  metadata: () => Promise<{ issuer: string; jwksUri?: string }>;
  /** Accepted `aud` values: OIDC_API_AUDIENCE, or the client id. */
  audiences: string[];
  /** Least time between two JWKS fetches (an unknown `kid` refetches only after it); default 30 s. */
  jwksCooldownMs?: number;
}

export class BearerVerifier {
  private jwks?: { uri: string; set: ReturnType<typeof createRemoteJWKSet> };

  constructor(private readonly settings: BearerSettings) {}

  /** The validated claims; throws (with a reason fit for logs, never the token) otherwise. */
  async verify(token: string): Promise<JWTPayload> {
    const { issuer, jwksUri } = await this.settings.metadata();
    if (!jwksUri) throw new Error('the identity provider publishes no jwks_uri');
    if (this.jwks?.uri !== jwksUri) this.jwks = { uri: jwksUri, set: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10_000, cooldownDuration: this.settings.jwksCooldownMs ?? 30_000, cacheMaxAge: 10 * 60_000 }) };
    const { payload } = await jwtVerify(token, this.jwks.set, {
      issuer,
      audience: this.settings.audiences,
      algorithms: ALLOWED_ALGORITHMS,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['sub', 'exp'],
    });
    // An ID token (it carries the sign-in nonce) is proof of a sign-in at this client, not an API grant.
    if (payload.nonce !== undefined) throw new Error('an ID token is not accepted as an access token');
    return payload;
  }
}

/** Whether a bearer value looks like a JWS compact serialization (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(token);
}
