/**
 * Who is calling, and with which role. Roles are ordered: reader ⊂ writer ⊂ admin (DESIGN §8).
 * A principal comes from one of: the laboratory mode (sign-in disabled), the static API_TOKEN,
 * a named API token, a bearer JWT from the identity provider, or the browser's session cookie
 * (see authenticator.ts, which tries them in that order).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type Role = 'reader' | 'writer' | 'admin';
export const ROLES: readonly Role[] = ['reader', 'writer', 'admin'];
const RANK: Record<Role, number> = { reader: 1, writer: 2, admin: 3 };

export type AuthMethod = 'laboratory' | 'api-token' | 'named-token' | 'bearer' | 'session';

export interface Principal {
  subject: string;
  name: string;
  roles: Role[];
  /** How the caller authenticated. */
  via: AuthMethod;
  /** A person, or an application (client-credentials token, API token). */
  kind?: 'user' | 'service-principal';
  /** The named API token used, when via = named-token (its name, never its secret). */
  tokenName?: string;
}

export function hasRole(principal: Principal, required: Role): boolean {
  return principal.roles.some((r) => RANK[r] >= RANK[required]);
}

/** The highest role of a set, or null for none. */
export function highestRole(roles: Iterable<Role>): Role | null {
  let best: Role | null = null;
  for (const r of roles) if (best === null || RANK[r] > RANK[best]) best = r;
  return best;
}

export function isRole(value: unknown): value is Role {
  return value === 'reader' || value === 'writer' || value === 'admin';
}

export const LABORATORY_ADMIN: Principal = Object.freeze({ subject: 'laboratory', name: 'Laboratory administrator (sign-in disabled)', roles: ['admin'] as Role[], via: 'laboratory' as const, kind: 'user' as const });

export const STATIC_TOKEN_PRINCIPAL: Principal = Object.freeze({ subject: 'api-token', name: 'Static API token', roles: ['admin'] as Role[], via: 'api-token' as const, kind: 'service-principal' as const });

export interface PrincipalSources {
  oidcEnabled: boolean;
  apiToken?: string;
}

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The bearer token of an Authorization header value, if any. */
export function bearerOf(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
}

/**
 * The synchronous part of authentication: laboratory mode and the static API_TOKEN. Kept for
 * callers without an Authenticator; the Authenticator also knows named tokens, JWTs and sessions.
 */
export function resolvePrincipal(sources: PrincipalSources, authorization: string | undefined): Principal | null {
  if (!sources.oidcEnabled) return LABORATORY_ADMIN;
  const bearer = bearerOf(authorization);
  if (bearer && sources.apiToken && secretEquals(bearer, sources.apiToken)) return STATIC_TOKEN_PRINCIPAL;
  return null;
}
