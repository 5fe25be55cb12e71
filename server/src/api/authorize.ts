/**
 * Route-level authorization: every route declares the role it needs (or that it is public);
 * a preHandler resolves the principal and refuses with 401/403 problems.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../errors.ts';
import { hasRole, resolvePrincipal, type Principal, type PrincipalSources, type Role } from '../auth/principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function requireRole(sources: PrincipalSources, role: Role): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const principal = resolvePrincipal(sources, request.headers.authorization);
    if (!principal) throw new AppError('UNAUTHENTICATED', 'sign in, or send a bearer token in the Authorization header');
    if (!hasRole(principal, role)) throw new AppError('FORBIDDEN', `this needs the ${role} role`);
    request.principal = principal;
  };
}
