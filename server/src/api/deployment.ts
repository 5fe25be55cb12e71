/** Host agent deployment (issue 6): per-host status, and a forced redeploy for admins. */
import Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.ts';
import type { DeploymentService } from '../deployment/service.ts';
import type { PrincipalSources } from '../auth/principal.ts';
import { requireRole } from './authorize.ts';

export const DeploymentStatusSchema = Type.Object({
  host: Type.String(),
  state: Type.Union(['unknown', 'checking', 'deploying', 'current', 'failed'].map((s) => Type.Literal(s))),
  installedVersion: Type.Union([Type.String(), Type.Null()]),
  targetVersion: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  lastChecked: Type.Union([Type.String(), Type.Null()]),
  failures: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
}, { $id: 'DeploymentStatus' });

export const deploymentRoutes: FastifyPluginAsync<{ deployment: DeploymentService; auth: PrincipalSources }> = async (fastify, { deployment, auth }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(DeploymentStatusSchema);

  app.get('/api/v1/hosts/:host/deployment', {
    preHandler: requireRole(auth, 'reader'),
    schema: { tags: ['deployment'], summary: 'Host agent install state of one host', params: Type.Object({ host: Type.String({ maxLength: 255 }) }), response: { 200: Type.Ref('DeploymentStatus') } },
  }, async (request) => {
    const status = deployment.statusOf(request.params.host);
    if (!status) throw new AppError('NOT_FOUND', `no host named ${request.params.host}`);
    return status;
  });

  app.post('/api/v1/admin/redeploy', {
    preHandler: requireRole(auth, 'admin'),
    schema: {
      tags: ['deployment'], summary: 'Check every host (or the given ones) and reinstall the agent; force reinstalls even when current',
      body: Type.Optional(Type.Object({ hosts: Type.Optional(Type.Array(Type.String(), { maxItems: 10_000 })), force: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false })),
      response: { 200: Type.Object({ items: Type.Array(Type.Ref('DeploymentStatus')) }) },
    },
  }, async (request) => {
    const hosts = request.body?.hosts;
    const force = request.body?.force ?? false;
    const correlationId = String(request.id);
    if (!hosts) return { items: await deployment.ensureAll({ force, correlationId }) };
    for (const h of hosts) if (!deployment.statusOf(h)) throw new AppError('NOT_FOUND', `no host named ${h}`);
    return { items: await Promise.all(hosts.map((h) => deployment.ensureCurrent(h, { force, correlationId }))) };
  });
};
