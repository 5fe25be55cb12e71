/**
 * The OpenAPI document (generated from every route's TypeBox schemas) at /openapi.json and
 * Swagger UI at /docs, served from our own node_modules: no CDN.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { buildInfo } from '../version.ts';

export async function registerDocs(app: FastifyInstance, laboratory: boolean): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Aether-V Orchestrator API',
        version: buildInfo().version,
        description: `Inventory, provisioning and lifecycle of Microsoft Hyper-V VMs. Errors are application/problem+json (RFC 9457).${laboratory ? '\n\n**This instance manages a simulated laboratory, not real hosts.**' : ''}`,
      },
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'about', description: 'Version and build' },
        { name: 'inventory', description: 'Clusters, hosts and VMs as last observed' },
        { name: 'notifications', description: 'Conditions operators should know about' },
        { name: 'jobs', description: 'Durable jobs: steps, log lines, cancel (every write answers 202 with a job)' },
        { name: 'vms', description: 'Provision, configure, edit, power and delete VMs (each answers 202 with a job)' },
        { name: 'events', description: 'Live events over WebSocket' },
        { name: 'deployment', description: 'Keeping the host agent installed and current on every host' },
        { name: 'agent', description: 'Host agent artifacts (public: they hold no secret)' },
        { name: 'auth', description: 'Browser sign-in (OpenID Connect) and who you are' },
        { name: 'tokens', description: 'Named API tokens for automation (admin)' },
        { name: 'audit', description: 'Who did what, when (admin)' },
        { name: 'diagnostics', description: 'Remoting, deployment, inventory and job engine state (admin)' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An access token (JWT) from the identity provider, a named API token (avt_…), or API_TOKEN' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'aetherv_session', description: 'The browser session after /auth/login; writes also need the X-CSRF-Token header from GET /auth/me' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
