/**
 * Route-level authorization. Every route declares its requirement in its options —
 * `config: { auth: 'public' | 'reader' | 'writer' | 'admin' }` — and an onRoute hook REFUSES to
 * register a route that does not (Swagger UI's own /docs/* files are the one exception, made
 * here explicitly). One onRequest hook then enforces the requirement for every request:
 * 401 without valid credentials, 403 without the role, 403 for a cookie-authenticated write
 * without the CSRF token. The requirement also becomes the route's OpenAPI `security`.
 *
 * `requireRole(sources, role)` is the older way of saying the same thing (as a preHandler);
 * it still works: the onRoute hook reads the role from it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { AppError, isAppError } from '../errors.ts';
import { hasRole, type Principal, type PrincipalSources, type Role } from '../auth/principal.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { csrfMatches, parseSessionUser, CSRF_HEADER, type SessionUser } from '../auth/session.ts';

export type AuthRequirement = 'public' | Role;
export const AUTH_REQUIREMENTS: readonly AuthRequirement[] = ['public', 'reader', 'writer', 'admin'];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (required on every route). */
    auth?: AuthRequirement;
    /** The handler refuses unauthenticated callers itself (WebSocket: close 1008 instead of a 401). */
    authInHandler?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** Why presented credentials were refused (for the audit log; never the credential). */
    authFailure?: string;
  }
  interface FastifyInstance {
    /** Every registered route and its requirement (the route-table test walks this). */
    routeRequirements: RouteRequirement[];
  }
}

export interface RouteRequirement {
  method: string;
  url: string;
  auth: AuthRequirement;
  websocket: boolean;
}

/** Plugins' own routes that are public by nature and cannot carry our config. */
const PUBLIC_PLUGIN_PREFIXES = ['/docs'];
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ROLE_TAG = Symbol.for('aetherv.requiredRole');

type TaggedHandler = preHandlerAsyncHookHandler & { [ROLE_TAG]?: Role };

/** Compatibility: `preHandler: requireRole(auth, 'writer')` declares the route's requirement. */
export function requireRole(_sources: PrincipalSources | undefined, role: Role): preHandlerAsyncHookHandler {
  const handler: TaggedHandler = async (request: FastifyRequest, _reply: FastifyReply) => {
    // The global hook has already enforced this; checking again costs nothing.
    if (!request.principal) throw new AppError('UNAUTHENTICATED', 'sign in, or send a bearer token in the Authorization header');
    if (!hasRole(request.principal, role)) throw new AppError('FORBIDDEN', `this needs the ${role} role`);
  };
  handler[ROLE_TAG] = role;
  return handler;
}

function taggedRole(route: RouteOptions): Role | undefined {
  const hooks = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
  return hooks.map((h) => (h as TaggedHandler)[ROLE_TAG]).find((r) => r !== undefined);
}

function requirementOf(route: RouteOptions): AuthRequirement {
  const declared = route.config?.auth ?? taggedRole(route);
  if (declared !== undefined) {
    if (!AUTH_REQUIREMENTS.includes(declared)) throw new Error(`route ${String(route.method)} ${route.url}: config.auth must be one of ${AUTH_REQUIREMENTS.join(', ')}`);
    return declared;
  }
  if (PUBLIC_PLUGIN_PREFIXES.some((p) => route.url === p || route.url.startsWith(`${p}/`))) return 'public';
  throw new Error(`route ${String(route.method)} ${route.url} declares no authorization requirement: add config: { auth: 'public' | 'reader' | 'writer' | 'admin' }`);
}

const SECURITY = [{ bearerAuth: [] }, { cookieAuth: [] }];

/** RFC 9457 problem document (problem.ts): documented once for every route's 4xx and 5xx. */
const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' },
    instance: { type: 'string' }, correlationId: { type: 'string' },
  },
  additionalProperties: true,
  examples: [{ type: 'urn:aetherv:problem:forbidden', title: 'Forbidden', status: 403, detail: 'this needs the writer role; you have reader', code: 'FORBIDDEN', instance: '/api/v1/hosts/HV01/refresh', correlationId: '7d1c…' }],
};
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: PROBLEM } } });

/** Records the requirement, and shows it in the OpenAPI document. */
function declare(app: FastifyInstance, route: RouteOptions): void {
  const auth = requirementOf(route);
  route.config = { ...route.config, auth };
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  for (const method of methods) app.routeRequirements.push({ method: String(method), url: route.url, auth, websocket: (route as { websocket?: boolean }).websocket === true });
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (schema.hide !== true) {
    const note = auth === 'public' ? 'Public: no sign-in needed.' : `Requires the **${auth}** role (reader ⊂ writer ⊂ admin).`;
    const response = (schema.response ?? {}) as Record<string, unknown>;
    const problems = { '4xx': problemResponse(auth === 'public' ? 'The request was refused (problem+json)' : 'Refused: 401 without valid credentials, 403 without the role or the CSRF token, other 4xx for bad requests (problem+json)'), '5xx': problemResponse('A failure on our side or on a host (problem+json)') };
    const withProblems = (schema.response || route.config?.auth !== 'public') && (route as { websocket?: boolean }).websocket !== true ? { response: { ...problems, ...response } } : {};
    route.schema = { ...schema, ...withProblems, security: auth === 'public' ? [] : SECURITY, description: schema.description ? `${String(schema.description)}\n\n${note}` : note } as unknown as typeof route.schema;
  }
}

export interface AuthorizationOptions {
  authenticator: Authenticator;
}

/** Whether a browser request comes from a page of our own origin (ambient credentials ride along cross-site). */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true; // not a browser
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

/**
 * The Authorization header, or for a WebSocket the subprotocol pair "bearer, <token>": browsers
 * cannot set headers on a WebSocket, and a token in the URL would end up in logs.
 */
function authorizationOf(request: FastifyRequest): string | undefined {
  if (request.headers.authorization !== undefined || !request.routeOptions.config.authInHandler) return request.headers.authorization;
  const protocols = String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  return protocols[0]?.toLowerCase() === 'bearer' && protocols[1] ? `Bearer ${protocols[1]}` : undefined;
}

export function sessionUserOf(request: FastifyRequest): SessionUser | undefined {
  const session = (request as { session?: { get(key: string): unknown } }).session;
  return parseSessionUser(session?.get('user'));
}

/** Adds the onRoute declaration check and the enforcing onRequest hook. Call before any route is added. */
export function installAuthorization(app: FastifyInstance, { authenticator }: AuthorizationOptions): void {
  app.decorate('routeRequirements', [] as RouteRequirement[]);
  app.addHook('onRoute', (route) => declare(app, route));

  app.addHook('onRequest', async (request, reply) => {
    const required = request.routeOptions.config.auth;
    // No route matched (404/405): nothing to protect, and the not-found handler answers.
    if (required === undefined || required === 'public') return;
    const session = sessionUserOf(request);
    let result;
    try {
      result = await authenticator.authenticate({ authorization: authorizationOf(request), session });
    } catch (error) {
      if (isAppError(error)) throw error;
      throw new AppError('INTERNAL', 'authentication failed unexpectedly', { cause: error });
    }
    let principal = result.principal;
    // The cookie and the laboratory's "everyone is admin" both ride along with any page's requests.
    const ambient = principal?.via === 'session' || principal?.via === 'laboratory';
    if (ambient && request.routeOptions.config.authInHandler && !sameOrigin(request)) {
      request.authFailure = `cross-origin WebSocket from ${String(request.headers.origin).slice(0, 200)}`;
      principal = null;
    }
    if (request.routeOptions.config.authInHandler) {
      if (principal && hasRole(principal, required)) request.principal = principal;
      else if (principal) request.authFailure = `needs the ${required} role`;
      else request.authFailure ??= result.reason ?? 'no credentials';
      return;
    }
    if (!principal) {
      request.authFailure = result.reason ?? 'no credentials';
      reply.header('www-authenticate', 'Bearer realm="aetherv"');
      throw new AppError('UNAUTHENTICATED', result.reason ? `${result.reason}; sign in again or send a valid bearer token` : 'sign in, or send a bearer token in the Authorization header');
    }
    request.principal = principal;
    if (principal.roles.length === 0) {
      request.authFailure = 'no role';
      throw new AppError('FORBIDDEN', 'your identity has no Aether-V role: ask an administrator to grant you one of the reader, writer or admin app roles');
    }
    if (!hasRole(principal, required)) {
      request.authFailure = `needs the ${required} role`;
      throw new AppError('FORBIDDEN', `this needs the ${required} role; you have ${principal.roles.join(', ')}`);
    }
    if (principal.via === 'laboratory' && UNSAFE_METHODS.has(request.method) && !sameOrigin(request)) {
      // A body-less POST is a "simple" cross-site request: no preflight stops another site's page.
      request.authFailure = `cross-origin write from ${String(request.headers.origin).slice(0, 200)}`;
      throw new AppError('FORBIDDEN', 'sign-in is disabled (laboratory), so writes from another origin\'s page are refused; call from this origin or without an Origin header');
    }
    if (principal.via === 'session' && UNSAFE_METHODS.has(request.method) && !csrfMatches(session!, request.headers[CSRF_HEADER])) {
      request.authFailure = 'missing or wrong CSRF token';
      throw new AppError('FORBIDDEN', `cookie-authenticated writes need the ${CSRF_HEADER} header: take csrfToken from GET /auth/me`);
    }
  });
}
