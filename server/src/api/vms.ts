/**
 * VM write routes (issue 7): provision, initialize, edit, disks, NICs, power, delete. Each
 * validates what it can before a job exists (shape, target, the VM's current state as its host
 * reports it) and answers 202 with the job and its Location. User strings travel to the host
 * only as JSON params of agent operations.
 */
import Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PrincipalSources } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import type { JobEngine } from '../jobs/engine.ts';
import type { InventoryService } from '../inventory/service.ts';
import type { VmRecord } from '../inventory/model.ts';
import type { OsFamily } from '../agent/types.generated.ts';
import { prepareGuest, prepareProvision, type ProvisionRequest } from '../jobs/kinds/provision-request.ts';
import { POWER_ACTIONS, powerRefusal } from '../jobs/kinds/power.ts';
import { updateRefusal } from '../jobs/kinds/update.ts';
import { deleteRefusal } from '../jobs/kinds/delete.ts';
import { initializeRefusal } from '../jobs/kinds/initialize.ts';
import { nicRefusal, findNic } from '../jobs/kinds/nics.ts';
import { findDisk } from '../jobs/kinds/disks.ts';
import { requireRole } from './authorize.ts';
import { JobSchema, submitAndReply } from './jobs.ts';
import { DiskBody, DiskPatch, InitializeBody, NicBody, NicPatch, ProvisionBody, VmPatch } from './vm-schemas.ts';

const GUID = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
const VmParams = Type.Object({ id: Type.String({ pattern: GUID, description: 'The VM\'s Hyper-V GUID' }) });
const DiskParams = Type.Object({ id: Type.String({ pattern: GUID }), diskId: Type.String({ minLength: 1, maxLength: 300, description: 'The disk id from the inventory, URL-encoded' }) });
const NicParams = Type.Object({ id: Type.String({ pattern: GUID }), nicId: Type.String({ minLength: 1, maxLength: 200, description: 'The adapter id from the inventory, URL-encoded' }) });
const Accepted = { 202: JobSchema };

export interface VmRoutesOptions {
  engine: JobEngine;
  inventory: InventoryService;
  auth: PrincipalSources;
}

export const vmRoutes: FastifyPluginAsync<VmRoutesOptions> = async (fastify, { engine, inventory, auth }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const writer = requireRole(auth, 'writer');

  /** The VM as its host reports it now (falls back to the last observation when the host does not answer). */
  async function currentVm(id: string, correlationId: string): Promise<VmRecord> {
    const known = inventory.vm(id);
    if (!known) throw new AppError('NOT_FOUND', `no VM ${id} in the inventory`);
    try {
      await inventory.refreshVms(known.host, [known.vmId], correlationId);
    } catch {
      return known;
    }
    const fresh = inventory.vm(id);
    if (!fresh) throw new AppError('NOT_FOUND', `VM ${id} no longer exists on ${known.host}`);
    return fresh;
  }
  const conflict = (message: string | null, vm: VmRecord) => {
    if (message) throw new AppError('VM_STATE_CONFLICT', message, { details: { state: vm.state, vmId: vm.vmId } });
  };
  const target = (vm: VmRecord) => ({ host: vm.host, vmId: vm.vmId });
  /** The OS family of a VM: from the golden image its boot disk differs from, else from what its guest reports. */
  const familyOf = (vm: VmRecord): OsFamily | undefined => {
    const parent = vm.disks[0]?.parentPath?.toLowerCase();
    const image = parent ? inventory.host(vm.host)?.facts?.images.find((i) => i.path.toLowerCase() === parent) : undefined;
    if (image) return image.osFamily;
    if (vm.osName) return /windows/i.test(vm.osName) ? 'windows' : 'linux';
    return undefined;
  };

  app.post('/api/v1/vms', {
    preHandler: writer,
    schema: {
      tags: ['vms'], summary: 'Provision a VM from a golden image (placed on the host, or on the cluster node with the most free memory), configured over KVP',
      body: ProvisionBody, response: Accepted,
    },
  }, async (request, reply) => {
    const prepared = prepareProvision(request.body as ProvisionRequest, inventory);
    return submitAndReply(reply, engine, { kind: 'provision', params: { ...prepared.params }, ...(Object.keys(prepared.secrets).length > 0 ? { secrets: { ...prepared.secrets } } : {}), ...(prepared.host ? { host: prepared.host } : {}) });
  });

  app.post('/api/v1/vms/:id/initialize', {
    preHandler: writer,
    schema: { tags: ['vms'], summary: 'Configure the guest of an existing VM that is Off (attach ISO, start, KVP handshake, wait for applied)', params: VmParams, body: InitializeBody, response: Accepted },
  }, async (request, reply) => {
    const vm = await currentVm(request.params.id, String(request.id));
    conflict(initializeRefusal(vm.state), vm);
    const family = request.body.osFamily ?? familyOf(vm);
    if (!family) throw new AppError('VALIDATION_FAILED', 'osFamily is needed: neither the VM\'s disk nor its guest tells which OS it runs');
    const guest = prepareGuest(request.body.guest, family, vm.name);
    return submitAndReply(reply, engine, { kind: 'initialize', params: { ...target(vm), osFamily: family, guest: guest.config }, ...(guest.secrets.guestPasswords ? { secrets: { ...guest.secrets } } : {}), ...target(vm) });
  });

  app.patch('/api/v1/vms/:id', {
    preHandler: writer,
    schema: {
      tags: ['vms'], summary: 'Change name, CPU count, memory or notes (applied and verified). CPU count and startup memory need the VM Off: 409 unless stopIfNeeded=true',
      params: VmParams, body: VmPatch,
      querystring: Type.Object({ stopIfNeeded: Type.Optional(Type.Boolean({ default: false, description: 'Shut a running VM down for the change and start it again' })) }),
      response: Accepted,
    },
  }, async (request, reply) => {
    const changes = request.body;
    if (Object.keys(changes).length === 0) throw new AppError('VALIDATION_FAILED', 'nothing to change');
    const vm = await currentVm(request.params.id, String(request.id));
    const stopIfNeeded = request.query.stopIfNeeded ?? false;
    conflict(updateRefusal(vm, changes, stopIfNeeded), vm);
    return submitAndReply(reply, engine, { kind: 'update', params: { ...target(vm), changes, stopIfNeeded }, ...target(vm) });
  });

  app.delete('/api/v1/vms/:id', {
    preHandler: writer,
    schema: {
      tags: ['vms'], summary: 'Delete a VM: turned off first when force=true (a running VM is refused otherwise), cluster role and provisioning ISO removed, disks and folder when deleteDisks=true',
      params: VmParams,
      querystring: Type.Object({ deleteDisks: Type.Optional(Type.Boolean({ default: false })), force: Type.Optional(Type.Boolean({ default: false })) }),
      response: Accepted,
    },
  }, async (request, reply) => {
    const vm = await currentVm(request.params.id, String(request.id));
    const force = request.query.force ?? false;
    conflict(deleteRefusal(vm.state, force), vm);
    return submitAndReply(reply, engine, { kind: 'delete', params: { ...target(vm), force, deleteDisks: request.query.deleteDisks ?? false }, ...target(vm) });
  });

  for (const action of POWER_ACTIONS) {
    app.post(`/api/v1/vms/:id/${action}`, {
      preHandler: writer,
      schema: { tags: ['vms'], summary: `Power: ${action} (checked against the VM's current state; 409 names the state when impossible)`, params: VmParams, response: Accepted },
    }, async (request, reply) => {
      const vm = await currentVm(request.params.id, String(request.id));
      conflict(powerRefusal(vm.state, action), vm);
      return submitAndReply(reply, engine, { kind: 'power', params: { ...target(vm), action }, ...target(vm) });
    });
  }

  app.post('/api/v1/vms/:id/disks', {
    preHandler: writer,
    schema: { tags: ['vms'], summary: 'Add a new virtual disk (in the VM\'s folder)', params: VmParams, body: DiskBody, response: Accepted },
  }, async (request, reply) => {
    const vm = await currentVm(request.params.id, String(request.id));
    const { sizeGiB, type, controllerType } = request.body;
    return submitAndReply(reply, engine, { kind: 'disk.create', params: { ...target(vm), sizeGiB, type: type ?? 'Dynamic', ...(controllerType ? { controllerType } : {}) }, ...target(vm) });
  });

  app.patch('/api/v1/vms/:id/disks/:diskId', {
    preHandler: writer,
    schema: { tags: ['vms'], summary: 'Expand a virtual disk (disks only grow)', params: DiskParams, body: DiskPatch, response: Accepted },
  }, async (request, reply) => {
    const vm = await currentVm(request.params.id, String(request.id));
    const disk = findDisk(vm.disks, request.params.diskId);
    if (!disk) throw new AppError('NOT_FOUND', `VM ${vm.vmId} has no disk ${request.params.diskId}`);
    if (disk.sizeBytes > request.body.sizeGiB * 1024 ** 3) throw new AppError('CONFLICT', `the disk is ${disk.sizeBytes / 1024 ** 3} GiB; disks can only grow`);
    return submitAndReply(reply, engine, { kind: 'disk.update', params: { ...target(vm), diskId: disk.diskId, sizeGiB: request.body.sizeGiB }, ...target(vm) });
  });

  app.delete('/api/v1/vms/:id/disks/:diskId', {
    preHandler: writer,
    schema: {
      tags: ['vms'], summary: 'Detach a disk; its file is deleted when deleteFile=true', params: DiskParams,
      querystring: Type.Object({ deleteFile: Type.Optional(Type.Boolean({ default: false })) }), response: Accepted,
    },
  }, async (request, reply) => {
    const vm = await currentVm(request.params.id, String(request.id));
    const disk = findDisk(vm.disks, request.params.diskId);
    if (!disk) throw new AppError('NOT_FOUND', `VM ${vm.vmId} has no disk ${request.params.diskId}`);
    return submitAndReply(reply, engine, { kind: 'disk.delete', params: { ...target(vm), diskId: disk.diskId, deleteFile: request.query.deleteFile ?? false }, ...target(vm) });
  });

  app.post('/api/v1/vms/:id/nics', {
    preHandler: writer,
    schema: { tags: ['vms'], summary: 'Add a network adapter (switch, access VLAN, static or dynamic MAC)', params: VmParams, body: NicBody, response: Accepted },
  }, async (request, reply) => {
    const vm = await currentVm(request.params.id, String(request.id));
    conflict(nicRefusal(vm, 'add'), vm);
    const facts = inventory.host(vm.host)?.facts;
    if (facts && !facts.switches.some((s) => s.name.toLowerCase() === request.body.switchName.toLowerCase())) {
      throw new AppError('VALIDATION_FAILED', `${vm.host} has no switch named ${request.body.switchName}`);
    }
    const body = { ...request.body, ...(request.body.macAddress ? { macAddress: request.body.macAddress.toUpperCase() } : {}) };
    return submitAndReply(reply, engine, { kind: 'nic.create', params: { ...target(vm), ...body }, ...target(vm) });
  });

  app.patch('/api/v1/vms/:id/nics/:nicId', {
    preHandler: writer,
    schema: { tags: ['vms'], summary: 'Reconnect an adapter to another switch, change its access VLAN (null = untagged) or rename it', params: NicParams, body: NicPatch, response: Accepted },
  }, async (request, reply) => {
    if (Object.keys(request.body).length === 0) throw new AppError('VALIDATION_FAILED', 'nothing to change');
    const vm = await currentVm(request.params.id, String(request.id));
    const nic = findNic(vm.nics, request.params.nicId);
    if (!nic) throw new AppError('NOT_FOUND', `VM ${vm.vmId} has no network adapter ${request.params.nicId}`);
    return submitAndReply(reply, engine, { kind: 'nic.update', params: { ...target(vm), nicId: nic.nicId, ...request.body }, ...target(vm) });
  });

  app.delete('/api/v1/vms/:id/nics/:nicId', {
    preHandler: writer,
    schema: { tags: ['vms'], summary: 'Remove a network adapter', params: NicParams, response: Accepted },
  }, async (request, reply) => {
    const vm = await currentVm(request.params.id, String(request.id));
    const nic = findNic(vm.nics, request.params.nicId);
    if (!nic) throw new AppError('NOT_FOUND', `VM ${vm.vmId} has no network adapter ${request.params.nicId}`);
    conflict(nicRefusal(vm, 'remove'), vm);
    return submitAndReply(reply, engine, { kind: 'nic.delete', params: { ...target(vm), nicId: nic.nicId }, ...target(vm) });
  });
};
