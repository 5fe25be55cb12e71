/**
 * Who is calling, and with which role. Roles are ordered: reader ⊂ writer ⊂ admin (DESIGN §8).
 * This module knows the static API_TOKEN and the laboratory mode; OIDC sessions, JWTs and named
 * tokens plug in here as further resolvers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type Role = 'reader' | 'writer' | 'admin';
const RANK: Record<Role, number> = { reader: 1, writer: 2, admin: 3 };

export interface Principal {
  subject: string;
  name: string;
  roles: Role[];
  /** How the caller authenticated. */
  via: 'laboratory' | 'api-token';
}

export function hasRole(principal: Principal, required: Role): boolean {
  return principal.roles.some((r) => RANK[r] >= RANK[required]);
}

export const LABORATORY_ADMIN: Principal = Object.freeze({ subject: 'laboratory', name: 'Laboratory administrator (sign-in disabled)', roles: ['admin'] as Role[], via: 'laboratory' as const });

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

/** The principal for an Authorization header value, or null when unauthenticated. */
export function resolvePrincipal(sources: PrincipalSources, authorization: string | undefined): Principal | null {
  if (!sources.oidcEnabled) return LABORATORY_ADMIN;
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (bearer && sources.apiToken && secretEquals(bearer, sources.apiToken)) {
    return { subject: 'api-token', name: 'Static API token', roles: ['admin'], via: 'api-token' };
  }
  return null;
}
