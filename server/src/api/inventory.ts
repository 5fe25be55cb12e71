/** Read API of the inventory (issue 6): clusters, hosts, VMs, their disks and NICs. */
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.ts';
import type { InventoryService } from '../inventory/service.ts';
import type { HostRecord, VmRecord } from '../inventory/model.ts';
import type { PrincipalSources } from '../auth/principal.ts';
import { requireRole } from './authorize.ts';
import { paginate } from './paging.ts';
import { ClusterSchema, DiskSchema, HostSchema, InventorySchema, NicSchema, Page, PageQuery, VmSchema } from './schemas/inventory.ts';

export interface InventoryRouteOptions {
  inventory: InventoryService;
  auth: PrincipalSources;
  /** Deployment status of a host, when the deployment service runs. */
  deploymentStatus?: (host: string) => Record<string, unknown> | undefined;
}

const HostParam = Type.Object({ host: Type.String({ maxLength: 255, description: 'host name as configured' }) });
const VmParam = Type.Object({ id: Type.String({ maxLength: 64, description: 'VM GUID' }) });

export const inventoryRoutes: FastifyPluginAsync<InventoryRouteOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  for (const schema of [DiskSchema, NicSchema, VmSchema, HostSchema, ClusterSchema]) app.addSchema(schema);
  const reader = requireRole(opts.auth, 'reader');
  const writer = requireRole(opts.auth, 'writer');
  // ETags must not repeat across restarts, whose revision counters start again at 0.
  const boot = randomUUID().slice(0, 8);

  const hostView = (h: HostRecord) => ({ ...h, agentVersion: h.facts?.agentVersion ?? null, deployment: opts.deploymentStatus?.(h.name) });
  const findHost = (name: string) => {
    const host = opts.inventory.host(name);
    if (!host) throw new AppError('NOT_FOUND', `no host named ${name}`);
    return host;
  };
  const findVm = (id: string): VmRecord => {
    const vm = opts.inventory.vm(id);
    if (!vm) throw new AppError('NOT_FOUND', `no VM with id ${id}`);
    return vm;
  };

  app.get('/api/v1/inventory', {
    preHandler: reader,
    schema: { tags: ['inventory'], summary: 'The whole estate: clusters, hosts and VMs (ETag; 304 on If-None-Match)', response: { 200: InventorySchema, 304: Type.Null({ description: 'not modified' }) } },
  }, async (request, reply) => {
    const snapshot = opts.inventory.snapshot();
    const etag = `"${boot}-${snapshot.revision}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send(null);
    return { ...snapshot, hosts: snapshot.hosts.map(hostView) };
  });

  app.get('/api/v1/clusters', {
    preHandler: reader,
    schema: { tags: ['inventory'], summary: 'Failover clusters', querystring: Type.Object(PageQuery), response: { 200: Page(Type.Ref('Cluster')) } },
  }, async (request) => paginate(opts.inventory.snapshot().clusters, request.query.limit, request.query.cursor));

  app.get('/api/v1/clusters/:name', {
    preHandler: reader,
    schema: { tags: ['inventory'], summary: 'One cluster', params: Type.Object({ name: Type.String({ maxLength: 255 }) }), response: { 200: Type.Ref('Cluster') } },
  }, async (request) => {
    const cluster = opts.inventory.snapshot().clusters.find((c) => c.name.toLowerCase() === request.params.name.toLowerCase());
    if (!cluster) throw new AppError('NOT_FOUND', `no cluster named ${request.params.name}`);
    return cluster;
  });

  app.get('/api/v1/hosts', {
    preHandler: reader,
    schema: { tags: ['inventory'], summary: 'Hosts with connection state, last error and agent version', querystring: Type.Object(PageQuery), response: { 200: Page(Type.Ref('Host')) } },
  }, async (request) => paginate(opts.inventory.snapshot().hosts.map(hostView), request.query.limit, request.query.cursor));

  app.get('/api/v1/hosts/:host', {
    preHandler: reader,
    schema: { tags: ['inventory'], summary: 'One host', params: HostParam, response: { 200: Type.Ref('Host') } },
  }, async (request) => hostView(findHost(request.params.host)));

  app.get('/api/v1/hosts/:host/vms', {
    preHandler: reader,
    schema: { tags: ['inventory'], summary: 'VMs of one host', params: HostParam, querystring: Type.Object(PageQuery), response: { 200: Page(Type.Ref('Vm')) } },
  }, async (request) => {
    findHost(request.params.host);
    return paginate(opts.inventory.hostVms(request.params.host), request.query.limit, request.query.cursor);
  });

  app.post('/api/v1/hosts/:host/refresh', {
    preHandler: writer,
    schema: { tags: ['inventory'], summary: 'Re-read one host and its VMs now', params: HostParam, response: { 200: Type.Ref('Host') } },
  }, async (request) => {
    findHost(request.params.host);
    return hostView(await opts.inventory.refreshHost(request.params.host, String(request.id)));
  });

  app.get('/api/v1/vms', {
    preHandler: reader,
    schema: {
      tags: ['inventory'], summary: 'VMs, filtered and paginated (sorted by name)',
      querystring: Type.Object({
        ...PageQuery,
        host: Type.Optional(Type.String({ maxLength: 255 })), cluster: Type.Optional(Type.String({ maxLength: 255 })),
        state: Type.Optional(Type.String({ maxLength: 64, description: 'Hyper-V state name, e.g. Running' })),
        name: Type.Optional(Type.String({ maxLength: 255, description: 'case-insensitive substring of the name' })),
      }),
      response: { 200: Page(Type.Ref('Vm')) },
    },
  }, async (request) => {
    const { host, cluster, state, name } = request.query;
    const needle = name?.toLowerCase();
    const vms = opts.inventory.snapshot().vms
      .filter((v) => (!host || v.host.toLowerCase() === host.toLowerCase())
        && (!cluster || (v.cluster ?? '').toLowerCase() === cluster.toLowerCase())
        && (!state || v.state.toLowerCase() === state.toLowerCase())
        && (!needle || v.name.toLowerCase().includes(needle)))
      .sort((a, b) => a.name.localeCompare(b.name) || a.vmId.localeCompare(b.vmId));
    return paginate(vms, request.query.limit, request.query.cursor);
  });

  app.get('/api/v1/vms/:id', {
    preHandler: reader,
    schema: { tags: ['inventory'], summary: 'One VM', params: VmParam, response: { 200: Type.Ref('Vm') } },
  }, async (request) => findVm(request.params.id));

  app.get('/api/v1/vms/:id/disks', {
    preHandler: reader,
    schema: { tags: ['inventory'], summary: 'Disks of one VM', params: VmParam, response: { 200: Type.Object({ items: Type.Array(Type.Ref('Disk')), total: Type.Integer(), nextCursor: Type.Null() }) } },
  }, async (request) => {
    const disks = findVm(request.params.id).disks;
    return { items: disks, total: disks.length, nextCursor: null };
  });

  app.get('/api/v1/vms/:id/nics', {
    preHandler: reader,
    schema: { tags: ['inventory'], summary: 'Network adapters of one VM', params: VmParam, response: { 200: Type.Object({ items: Type.Array(Type.Ref('Nic')), total: Type.Integer(), nextCursor: Type.Null() }) } },
  }, async (request) => {
    const nics = findVm(request.params.id).nics;
    return { items: nics, total: nics.length, nextCursor: null };
  });
};
