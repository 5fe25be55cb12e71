/**
 * Browser sign-in (issue 8): `GET /auth/login` → the provider → `GET /auth/callback` → an
 * encrypted session cookie; `POST /auth/logout`; `GET /auth/me` (who you are, your roles, and the
 * CSRF token cookie-authenticated writes must send). All public, all rate-limited.
 */
import Type from 'typebox';
import secureSession from '@fastify/secure-session';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.ts';
import type { Authentication } from '../auth/setup.ts';
import type { AuditLog } from '../auth/audit-log.ts';
import type { LoginState } from '../auth/oidc.ts';
import { principalFromClaims, type RoleClaimMapping } from '../auth/claims.ts';
import { LOGIN_COOKIE, LOGIN_SECONDS, SESSION_COOKIE, SESSION_SECONDS, newCsrfToken, safeReturnPath, sessionKey, type SessionUser } from '../auth/session.ts';
import { auditEntryFor } from './audit.ts';
import { sessionUserOf } from './authorize.ts';

declare module '@fastify/secure-session' {
  interface SessionData {
    user: SessionUser;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The short-lived sign-in state (secure-session named "login"). */
    login: { get(key: string): unknown; set(key: string, value: unknown): void; delete(): void };
  }
}

/** The encrypted cookies (session and sign-in state) and the rate limiter; call before routes are added. */
export async function registerSessionSupport(app: FastifyInstance, sessionSecret: string | undefined): Promise<void> {
  const key = sessionKey(sessionSecret);
  // Secure when the request came over TLS (directly, or as TRUST_PROXY's X-Forwarded-Proto says).
  const cookie = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: 'auto' as const };
  await app.register(secureSession, [
    { sessionName: 'session', cookieName: SESSION_COOKIE, key, expiry: SESSION_SECONDS, cookie: { ...cookie, maxAge: SESSION_SECONDS } },
    { sessionName: 'login', cookieName: LOGIN_COOKIE, key, expiry: LOGIN_SECONDS, cookie: { ...cookie, path: '/auth', maxAge: LOGIN_SECONDS } },
  ] as never);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new AppError('RATE_LIMITED', `too many requests; try again in ${context.after}`),
  });
}

export interface AuthRouteOptions {
  authentication: Authentication;
  roleClaims: RoleClaimMapping;
  audit?: AuditLog;
}

const SIGN_IN_LIMIT = { max: 30, timeWindow: '1 minute' };
const Me = Type.Object({
  authenticated: Type.Boolean(),
  signInEnabled: Type.Boolean({ description: 'false = OIDC_ENABLED=false: every caller is a laboratory administrator' }),
  laboratoryAdmin: Type.Boolean(),
  subject: Type.Optional(Type.String()), name: Type.Optional(Type.String()),
  roles: Type.Array(Type.String()),
  via: Type.Optional(Type.String({ description: 'laboratory, api-token, named-token, bearer or session' })),
  kind: Type.Optional(Type.String()),
  tokenName: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  csrfToken: Type.Optional(Type.String({ description: 'send as X-CSRF-Token on POST/PUT/PATCH/DELETE made with the session cookie' })),
  notice: Type.Optional(Type.String()),
}, { examples: [{ authenticated: true, signInEnabled: true, laboratoryAdmin: false, subject: '8b1c…', name: 'alice@contoso.com', roles: ['writer'], via: 'session', kind: 'user', expiresAt: '2026-11-26T08:00:00.000Z', csrfToken: 'q9V…' }] });

export const authRoutes: FastifyPluginAsync<AuthRouteOptions> = async (fastify, { authentication, roleClaims, audit }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { authenticator, oidc, bearer } = authentication;

  const signInFailed = async (request: FastifyRequest, status: number, detail: string) => {
    request.audited = true;
    await audit?.record({ ...auditEntryFor(request, status), outcome: 'sign-in-failed', detail }).catch((error: unknown) => request.log.error({ err: error }, 'could not write the audit record'));
    request.log.warn({ detail }, 'sign-in failed');
  };

  app.get('/auth/login', {
    config: { auth: 'public', rateLimit: SIGN_IN_LIMIT },
    schema: {
      tags: ['auth'], summary: 'Start signing in at the identity provider (redirects there)',
      querystring: Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 2000, description: 'a local path to come back to, e.g. /vms' })) }),
      response: { 302: Type.Null({ description: 'to the provider (or straight back when sign-in is disabled)' }) },
    },
  }, async (request, reply) => {
    const returnTo = safeReturnPath(request.query.returnTo);
    if (authenticator.laboratory) return reply.redirect(returnTo);
    if (!oidc || !oidc.settings.redirectUri) throw new AppError('NOT_READY', 'browser sign-in is not configured: set OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_REDIRECT_URI');
    const { url, state } = await oidc.beginSignIn(returnTo);
    request.login.set('state', state);
    return reply.header('cache-control', 'no-store').redirect(url);
  });

  app.get('/auth/callback', {
    config: { auth: 'public', rateLimit: SIGN_IN_LIMIT },
    schema: {
      tags: ['auth'], summary: 'Where the identity provider sends the browser back (sets the session cookie)',
      querystring: Type.Object({ code: Type.Optional(Type.String({ maxLength: 4096 })), state: Type.Optional(Type.String({ maxLength: 512 })), error: Type.Optional(Type.String({ maxLength: 256 })), error_description: Type.Optional(Type.String({ maxLength: 2048 })) }, { additionalProperties: true }),
      response: { 302: Type.Null({ description: 'to the return path' }) },
    },
  }, async (request, reply) => {
    if (!oidc) throw new AppError('NOT_READY', 'browser sign-in is not configured');
    const expected = request.login.get('state') as LoginState | undefined;
    request.login.delete();
    if (request.query.error) {
      const detail = `the provider refused: ${request.query.error.slice(0, 100)}`;
      await signInFailed(request, 401, detail);
      throw new AppError('UNAUTHENTICATED', `sign-in failed: ${detail}`);
    }
    if (!expected || typeof expected.state !== 'string') {
      await signInFailed(request, 401, 'no sign-in in progress (missing or expired state cookie)');
      throw new AppError('UNAUTHENTICATED', 'sign-in failed: no sign-in in progress in this browser; start again at /auth/login');
    }
    let claims: Record<string, unknown>;
    let accessToken: string | undefined;
    try {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      ({ claims, accessToken } = await oidc.completeSignIn(query, expected));
    } catch (error) {
      const e = error as { code?: string; message?: string };
      await signInFailed(request, 401, `${e.code ?? 'ERR'}: ${(e.message ?? '').slice(0, 200)}`);
      throw new AppError('UNAUTHENTICATED', 'sign-in failed: the provider\'s answer did not check out; start again at /auth/login');
    }
    let principal = principalFromClaims(claims, roleClaims, 'session');
    // Entra puts app roles in the ID token; other providers only in the access token for our API.
    if (principal.roles.length === 0 && accessToken && bearer) {
      const fromAccess = await bearer.verify(accessToken).catch(() => undefined);
      if (fromAccess && fromAccess.sub === claims.sub) principal = principalFromClaims({ ...fromAccess, ...claims, roles: fromAccess.roles, groups: fromAccess.groups, scp: fromAccess.scp ?? fromAccess.scope }, roleClaims, 'session');
    }
    request.principal = principal;
    if (principal.roles.length === 0) {
      await signInFailed(request, 403, 'no Aether-V role in the token');
      throw new AppError('FORBIDDEN', 'you signed in, but your identity has no Aether-V role: ask an administrator to assign you the reader, writer or admin app role');
    }
    const user: SessionUser = { sub: principal.subject, name: principal.name, roles: principal.roles, exp: Math.floor(Date.now() / 1000) + SESSION_SECONDS, csrf: newCsrfToken() };
    request.session.set('user', user);
    request.log.info({ subject: user.sub, roles: user.roles }, 'signed in');
    return reply.header('cache-control', 'no-store').redirect(safeReturnPath(expected.returnTo));
  });

  app.post('/auth/logout', {
    config: { auth: 'public', rateLimit: SIGN_IN_LIMIT },
    schema: {
      tags: ['auth'], summary: 'Sign out: drops the session cookie; redirectUrl is the provider\'s end-session page when it has one',
      response: { 200: Type.Object({ signedOut: Type.Boolean(), redirectUrl: Type.String() }, { examples: [{ signedOut: true, redirectUrl: 'https://login.microsoftonline.com/…/oauth2/v2.0/logout?client_id=…' }] }) },
    },
  }, async (request) => {
    const user = sessionUserOf(request);
    if (user) request.principal = { subject: user.sub, name: user.name, roles: user.roles, via: 'session', kind: 'user' };
    request.session.delete();
    const postLogout = oidc?.settings.redirectUri ? new URL('/', oidc.settings.redirectUri).href : undefined;
    const endSession = user && oidc ? await oidc.endSessionUrl(postLogout) : undefined;
    return { signedOut: user !== undefined, redirectUrl: endSession ?? '/' };
  });

  app.get('/auth/me', {
    config: { auth: 'public', rateLimit: { max: 300, timeWindow: '1 minute' } },
    schema: { tags: ['auth'], summary: 'Who you are, your roles, and the CSRF token for cookie-authenticated writes', response: { 200: Me } },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const session = sessionUserOf(request);
    const { principal, reason } = await authenticator.authenticate({ authorization: request.headers.authorization, session });
    const signInEnabled = !authenticator.laboratory;
    if (!principal) return { authenticated: false, signInEnabled, laboratoryAdmin: false, roles: [], ...(reason ? { notice: reason } : {}) };
    return {
      authenticated: true, signInEnabled, laboratoryAdmin: principal.via === 'laboratory',
      subject: principal.subject, name: principal.name, roles: principal.roles, via: principal.via,
      ...(principal.kind ? { kind: principal.kind } : {}),
      ...(principal.tokenName ? { tokenName: principal.tokenName } : {}),
      ...(principal.via === 'session' && session ? { expiresAt: new Date(session.exp * 1000).toISOString(), csrfToken: session.csrf } : {}),
      ...(principal.via === 'laboratory' ? { notice: 'sign-in is disabled (OIDC_ENABLED=false): every caller is a laboratory administrator' } : {}),
    };
  });
};
