/**
 * From identity-provider claims to a principal: roles come from the `roles`, `groups`, `scp`
 * and `scope` claims through OIDC_READER_ROLES / OIDC_WRITER_ROLES / OIDC_ADMIN_ROLES.
 * Values are compared case-insensitively, and also by their last `/` or `:` segment, so that
 * `api://aetherv/vm-writer` in a token matches `vm-writer` in the configuration.
 */
import { highestRole, type Principal, type Role } from './principal.ts';

export interface RoleClaimMapping {
  reader: string[];
  writer: string[];
  admin: string[];
}

function forms(value: string): string[] {
  const v = value.trim().toLowerCase();
  if (!v) return [];
  const out = new Set([v]);
  const slash = v.lastIndexOf('/');
  if (slash >= 0 && slash < v.length - 1) out.add(v.slice(slash + 1));
  const colon = v.lastIndexOf(':');
  if (colon >= 0 && colon < v.length - 1) out.add(v.slice(colon + 1));
  return [...out];
}

/** Every claim value that may name a role (arrays of strings, or space-separated scopes). */
export function claimValues(claims: Record<string, unknown>): string[] {
  const values: string[] = [];
  for (const name of ['roles', 'groups']) {
    const v = claims[name];
    if (Array.isArray(v)) for (const item of v) if (typeof item === 'string') values.push(item);
  }
  for (const name of ['scp', 'scope']) {
    const v = claims[name];
    if (typeof v === 'string') values.push(...v.split(/\s+/));
    else if (Array.isArray(v)) for (const item of v) if (typeof item === 'string') values.push(item);
  }
  return values;
}

/** The role granted by the claims (the highest matching), or null when none matches. */
export function roleFromClaims(claims: Record<string, unknown>, mapping: RoleClaimMapping): Role | null {
  const given = new Set(claimValues(claims).flatMap(forms));
  const granted: Role[] = [];
  for (const role of ['reader', 'writer', 'admin'] as const) {
    if (mapping[role].some((configured) => forms(configured).some((f) => given.has(f)))) granted.push(role);
  }
  return highestRole(granted);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** A person, or an application using the client-credentials grant (Entra marks these `idtyp: app`). */
export function isServicePrincipal(claims: Record<string, unknown>): boolean {
  if (claims.idtyp === 'app') return true;
  if (str(claims.preferred_username) || str(claims.name) || str(claims.email)) return false;
  const clientId = str(claims.client_id) ?? str(claims.azp) ?? str(claims.appid);
  return clientId !== undefined && (claims.sub === clientId || claims.sub === undefined || str(claims.oid) !== undefined);
}

export function displayName(claims: Record<string, unknown>): string {
  return str(claims.preferred_username) ?? str(claims.name) ?? str(claims.email) ?? str(claims.app_displayname)
    ?? str(claims.azp) ?? str(claims.appid) ?? str(claims.client_id) ?? str(claims.sub) ?? 'unknown';
}

/** The principal for validated claims; roles may be empty (the caller is then refused with 403). */
export function principalFromClaims(claims: Record<string, unknown>, mapping: RoleClaimMapping, via: 'bearer' | 'session'): Principal {
  const role = roleFromClaims(claims, mapping);
  return {
    subject: str(claims.sub) ?? 'unknown',
    name: displayName(claims),
    roles: role ? [role] : [],
    via,
    kind: isServicePrincipal(claims) ? 'service-principal' : 'user',
  };
}
