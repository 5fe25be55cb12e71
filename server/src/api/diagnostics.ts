/**
 * `GET /api/v1/diagnostics` (admin): what an operator needs when something is stuck — per-host
 * circuit breaker and call load, agent deployment states, inventory freshness, job engine state.
 */
import Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AgentClient } from '../agent/client.ts';
import type { DeploymentService } from '../deployment/service.ts';
import type { InventoryService } from '../inventory/service.ts';
import type { JobEngine } from '../jobs/engine.ts';
import { DeploymentStatusSchema } from './deployment.ts';

export interface DiagnosticsOptions {
  agent: AgentClient;
  deployment: DeploymentService;
  inventory: InventoryService;
  /** The job engine, when one runs. */
  jobs?: Pick<JobEngine, 'list'>;
}

// The same shape as the deployment routes', without their $id (schemas are per plugin scope).
const { $id: _id, ...DeploymentStatus } = DeploymentStatusSchema as typeof DeploymentStatusSchema & { $id?: string };
const Load = Type.Object({ active: Type.Integer(), pending: Type.Integer() });
const Diagnostics = Type.Object({
  time: Type.String({ format: 'date-time' }),
  remoting: Type.Object({
    load: Load,
    hosts: Type.Array(Type.Object({ host: Type.String(), breaker: Type.String({ examples: ['closed', 'open', 'half-open', 'isolated'] }), load: Load })),
  }),
  deployment: Type.Array(DeploymentStatus),
  inventory: Type.Object({
    revision: Type.Integer(), generatedAt: Type.String(),
    hosts: Type.Integer(), hostsConnected: Type.Integer(), vms: Type.Integer(),
    disconnected: Type.Array(Type.Object({ host: Type.String(), lastError: Type.Union([Type.String(), Type.Null()]) })),
  }),
  jobs: Type.Union([Type.Object({ queued: Type.Integer(), running: Type.Integer(), interrupted: Type.Integer() }), Type.Null()], { description: 'job counts by state; null when no job engine runs' }),
});

async function jobCounts(jobs: Pick<JobEngine, 'list'>): Promise<{ queued: number; running: number; interrupted: number }> {
  const [queued, running, interrupted] = await Promise.all((['queued', 'running', 'interrupted'] as const).map(async (state) => (await jobs.list({ state }, { limit: 1 })).total));
  return { queued: queued ?? 0, running: running ?? 0, interrupted: interrupted ?? 0 };
}

export const diagnosticsRoutes: FastifyPluginAsync<DiagnosticsOptions> = async (app, opts) => {
  app.get('/api/v1/diagnostics', {
    config: { auth: 'admin' },
    schema: { tags: ['diagnostics'], summary: 'Remoting, deployment, inventory and job engine state', response: { 200: Diagnostics } },
  }, async () => {
    const snapshot = opts.inventory.snapshot();
    const hosts = snapshot.hosts.map((h) => h.name);
    return {
      time: new Date().toISOString(),
      remoting: { load: opts.agent.load(), hosts: hosts.map((host) => ({ host, breaker: opts.agent.breakerState(host), load: opts.agent.load(host) })) },
      deployment: opts.deployment.all(),
      inventory: {
        revision: snapshot.revision,
        generatedAt: snapshot.generatedAt,
        hosts: snapshot.hosts.length,
        hostsConnected: snapshot.hosts.filter((h) => h.connected).length,
        vms: snapshot.vms.length,
        disconnected: snapshot.hosts.filter((h) => !h.connected).map((h) => ({ host: h.name, lastError: h.lastError ? h.lastError.message : null })),
      },
      jobs: opts.jobs ? await jobCounts(opts.jobs) : null,
    };
  });
};
