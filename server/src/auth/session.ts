/**
 * What the encrypted session cookie holds (who, roles, expiry, and the CSRF synchronizer
 * token) and how its key is derived. Nothing else goes in: no tokens from the provider.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { isRole, type Principal, type Role } from './principal.ts';
import { secretEquals } from './principal.ts';

export const SESSION_COOKIE = 'aetherv_session';
export const LOGIN_COOKIE = 'aetherv_login';
export const CSRF_HEADER = 'x-csrf-token';
/** How long a browser session lasts before signing in again. */
export const SESSION_SECONDS = 8 * 3600;
/** How long a sign-in at the provider may take. */
export const LOGIN_SECONDS = 10 * 60;

export interface SessionUser {
  sub: string;
  name: string;
  roles: Role[];
  /** Expiry, seconds since the epoch. */
  exp: number;
  csrf: string;
}

/** The 32-byte cookie key: derived from SESSION_SECRET, or random for this run. */
export function sessionKey(secret: string | undefined): Buffer {
  if (!secret) return randomBytes(32);
  return Buffer.from(hkdfSync('sha256', secret, 'aetherv-orchestrator', 'session cookie key v1', 32));
}

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A session user, or undefined when absent, malformed or expired. */
export function parseSessionUser(value: unknown, now = Date.now()): SessionUser | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.sub !== 'string' || typeof v.name !== 'string' || typeof v.exp !== 'number' || typeof v.csrf !== 'string') return undefined;
  if (!Array.isArray(v.roles) || !v.roles.every(isRole)) return undefined;
  if (v.exp * 1000 <= now) return undefined;
  return { sub: v.sub, name: v.name, roles: v.roles, exp: v.exp, csrf: v.csrf };
}

export function sessionPrincipal(user: SessionUser): Principal {
  return { subject: user.sub, name: user.name, roles: user.roles, via: 'session', kind: 'user' };
}

export function csrfMatches(user: SessionUser, given: string | string[] | undefined): boolean {
  return typeof given === 'string' && given.length > 0 && secretEquals(given, user.csrf);
}

/**
 * A return path after sign-in: only a local absolute path ("/vms?x=1"), never another origin
 * ("//evil", "/\\evil", "https://…") nor a path with control characters.
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return '/';
  try {
    const resolved = new URL(value, 'http://orchestrator.invalid');
    if (resolved.origin !== 'http://orchestrator.invalid') return '/';
    // Dot segments can collapse into a protocol-relative path: "/..//evil" resolves to "//evil".
    if (resolved.pathname.startsWith('//')) return '/';
    return `${resolved.pathname}${resolved.search}${resolved.hash}`;
  } catch {
    return '/';
  }
}
