/**
 * Fastify assembly: logging, correlation ids, security headers, problem+json for every failure,
 * OpenAPI + Swagger UI, and the route plugins. Knows nothing of how hosts are reached.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import type { Logger } from 'pino';
import type { AppConfig } from './config/load.ts';
import type { Readiness } from './readiness.ts';
import { toProblem, sendProblem, problemFor } from './api/problem.ts';
import { RouteShadow } from './api/method-not-allowed.ts';
import { registerDocs } from './api/docs.ts';
import { healthRoutes } from './api/health.ts';
import { aboutRoutes } from './api/about.ts';
import { inventoryRoutes } from './api/inventory.ts';
import { notificationRoutes } from './api/notifications.ts';
import { webSocketRoutes } from './api/ws.ts';
import { deploymentRoutes } from './api/deployment.ts';
import { agentArtifactRoutes } from './api/agent-artifacts.ts';
import type { Services } from './services.ts';
import { jobRoutes } from './api/jobs.ts';
import { vmRoutes } from './api/vms.ts';
import { createAuthentication } from './auth/setup.ts';
import { installAuthorization } from './api/authorize.ts';
import { authRoutes, registerSessionSupport } from './api/auth.ts';
import { auditRoutes, installAuditTrail } from './api/audit.ts';
import { tokenRoutes } from './api/tokens.ts';
import { diagnosticsRoutes } from './api/diagnostics.ts';
import { webRoutes } from './api/web.ts';

export interface AppDependencies {
  config: AppConfig;
  readiness: Readiness;
  logger: Logger;
  /** Domain services; absent in tests of the HTTP shell alone. */
  services?: Services;
}

const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, readiness } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // A caller's correlation id is kept when it is safe to log; otherwise we make one.
    genReqId: (req) => {
      const given = req.headers[CORRELATION_HEADER] ?? req.headers['x-request-id'];
      return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
    },
    trustProxy: config.server.trustProxy,
    bodyLimit: 4 * 1024 * 1024,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header(CORRELATION_HEADER, request.id);
  });

  const shadow = new RouteShadow();
  app.addHook('onRoute', (route) => shadow.add(route.method, route.url));

  // Sign-in, roles and the audit trail (issue 8): before any route, so every route is checked.
  const authentication = createAuthentication(config, deps.services?.tokens);
  await registerSessionSupport(app, config.auth.sessionSecret);
  installAuthorization(app, { authenticator: authentication.authenticator });
  if (deps.services) installAuditTrail(app, deps.services.audit);
  readiness.set('authentication', config.auth.oidcEnabled
    ? { ready: true, detail: `sign-in through ${config.auth.issuerUrl ?? '(no issuer configured)'}` }
    : { ready: true, detail: 'SIGN-IN DISABLED (OIDC_ENABLED=false): every caller is a laboratory administrator' });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error as Error, request, config.server.debug);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request rejected');
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = shadow.allowedMethods(path);
    const base = { instance: path, correlationId: String(request.id) };
    if (allowed.length > 0) {
      return sendProblem(reply, problemFor('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, base), { allow: allowed.join(', ') });
    }
    return sendProblem(reply, problemFor('NOT_FOUND', `no route ${request.method} ${path}`, base));
  });

  await app.register(helmet, {
    // Swagger UI and the web UI are served from our own origin only.
    // No upgrade-insecure-requests: over plain http (a laboratory reached by name) browsers would fetch
    // the UI's own scripts over https and fail; over https our same-origin URLs are https anyway.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], styleSrc: ["'self'", "'unsafe-inline'"], scriptSrc: ["'self'"], connectSrc: ["'self'"], upgradeInsecureRequests: null } },
    hsts: config.server.trustProxy ? undefined : false,
  });

  await registerDocs(app, config.laboratory);
  await app.register(authRoutes, { authentication, roleClaims: config.auth.roleClaims, audit: deps.services?.audit });
  await app.register(healthRoutes, { readiness, laboratory: config.laboratory });
  await app.register(aboutRoutes, { laboratory: config.laboratory });
  await app.register(agentArtifactRoutes, { artifactsPath: config.agent.artifactsPath });
  await app.register(webRoutes);
  const services = deps.services;
  if (services) {
    const auth = { oidcEnabled: config.auth.oidcEnabled, apiToken: config.auth.apiToken };
    await app.register(inventoryRoutes, { inventory: services.inventory, auth, deploymentStatus: (host) => services.deployment.statusOf(host) as Record<string, unknown> | undefined });
    await app.register(deploymentRoutes, { deployment: services.deployment, auth });
    await app.register(notificationRoutes, { notifications: services.notifications, auth });
    await app.register(jobRoutes, { engine: services.jobs, auth });
    await app.register(vmRoutes, { engine: services.jobs, inventory: services.inventory, auth });
    await app.register(webSocketRoutes, { hub: services.hub });
    await app.register(tokenRoutes, { tokens: services.tokens });
    await app.register(auditRoutes, { audit: services.audit });
    await app.register(diagnosticsRoutes, { agent: services.agent, deployment: services.deployment, inventory: services.inventory, jobs: services.jobs });
  }
  return app;
}
