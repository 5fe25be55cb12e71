/**
 * `provision`: a new VM from a golden image, configured over KVP (DESIGN §5, §6). The VM is
 * created first (Off, carrying this job's marker in its notes) and every file goes into its
 * folder, so one rollback — remove the VM with its disks and folder — leaves nothing behind,
 * whatever step failed or was cancelled.
 */
import { AppError } from '../../errors.ts';
import type { OsFamily, VmCreateParams } from '../../agent/types.generated.ts';
import type { JobKind, StepContext } from '../kind.ts';
import { place } from '../placement.ts';
import {
  agentCode, assertNameFree, callOptions, carriesMarker, ensureAgent, hostVms, hostWork, jobMarker, refreshVm, requireVm, sameName, settled, uncancellable, vmFolder,
  type AnyContext,
} from './common.ts';
import { guestSteps } from './guest.ts';
import { joinGuestConfig, type GuestSecrets } from './guest-secrets.ts';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export interface ProvisionDisk { sizeGiB: number; type: 'Dynamic' | 'Fixed' }
export interface ProvisionNic { switchName: string; vlanId?: number | null; macAddress?: string; name?: string }

export interface ProvisionParams {
  name: string;
  /** Exactly one of host and cluster. */
  host?: string;
  cluster?: string;
  image: string;
  imageMode: 'full' | 'differencing';
  generation?: 1 | 2;
  secureBootTemplate?: 'MicrosoftWindows' | 'MicrosoftUEFICertificateAuthority' | 'Disabled';
  cpuCount: number;
  memory: { startupMiB: number; dynamic: boolean; minimumMiB?: number; maximumMiB?: number };
  disks: ProvisionDisk[];
  nics: ProvisionNic[];
  notes: string;
  osFamily?: OsFamily;
  /** The guest configuration without its passwords (for display); the full one is in secrets. */
  guest?: Record<string, unknown>;
  clustered: boolean;
  start: boolean;
}

export type ProvisionSecrets = GuestSecrets;

interface PlaceOutput { host: string; cluster: string | null; storagePath: string; image: { name: string; path: string; osFamily: OsFamily; generation: 1 | 2 } }
interface CreateOutput { vmId: string; folder: string }

type Ctx = StepContext<ProvisionParams, ProvisionSecrets>;

export const nicName = (nic: ProvisionNic, index: number): string => nic.name ?? (index === 0 ? 'Network Adapter' : `Network Adapter ${index + 1}`);

function placed(ctx: AnyContext): PlaceOutput {
  const out = ctx.outputs['place'] as PlaceOutput | undefined;
  if (!out) throw new AppError('INTERNAL', 'provision: placement output missing');
  return out;
}

function created(ctx: AnyContext): CreateOutput {
  const out = ctx.outputs['create-vm'] as CreateOutput | undefined;
  if (!out) throw new AppError('INTERNAL', 'provision: create-vm output missing');
  return out;
}

export function osFamilyOf(ctx: Ctx): OsFamily {
  return ctx.job.params.osFamily ?? placed(ctx).image.osFamily;
}

function createParams(ctx: Ctx, where: PlaceOutput): VmCreateParams {
  const p = ctx.job.params;
  const generation = p.generation ?? where.image.generation;
  const memory = p.memory.dynamic
    ? { startupBytes: p.memory.startupMiB * MIB, dynamic: true, ...(p.memory.minimumMiB !== undefined ? { minimumBytes: p.memory.minimumMiB * MIB } : {}), ...(p.memory.maximumMiB !== undefined ? { maximumBytes: p.memory.maximumMiB * MIB } : {}) }
    : { startupBytes: p.memory.startupMiB * MIB, dynamic: false };
  const family = osFamilyOf(ctx);
  const secureBootTemplate = generation === 2 ? (p.secureBootTemplate ?? (family === 'linux' ? 'MicrosoftUEFICertificateAuthority' : 'MicrosoftWindows')) : undefined;
  return {
    name: p.name, path: where.storagePath, generation, cpuCount: p.cpuCount, memory,
    ...(secureBootTemplate ? { secureBootTemplate } : {}),
    notes: p.notes === '' ? jobMarker(ctx.job.id) : `${p.notes}\n${jobMarker(ctx.job.id)}`,
  };
}

export const provisionKind: JobKind<ProvisionParams, ProvisionSecrets> = {
  kind: 'provision',
  steps: [
    {
      name: 'place',
      async run(ctx) {
        const p = ctx.job.params;
        const where = place(ctx.services.inventory.snapshot().hosts, {
          ...(p.host !== undefined ? { host: p.host } : {}),
          ...(p.cluster !== undefined ? { cluster: p.cluster } : {}),
          image: p.image, switches: p.nics.map((n) => n.switchName), clustered: p.clustered,
          ...(p.start ? { memoryBytes: p.memory.startupMiB * MIB } : {}),
        });
        await ctx.setTarget({ host: where.host });
        ctx.log('info', `placed on ${where.host}${where.cluster ? ` (cluster ${where.cluster})` : ''}, storage ${where.storagePath}`);
        const { name, path, osFamily, generation } = where.image;
        return { host: where.host, cluster: where.cluster, storagePath: where.storagePath, image: { name, path, osFamily, generation } } satisfies PlaceOutput;
      },
    },
    {
      name: 'ensure-agent',
      async run(ctx) {
        await ensureAgent(ctx, placed(ctx).host);
        return {};
      },
    },
    {
      name: 'check-name',
      async run(ctx) {
        await assertNameFree(ctx, placed(ctx).host, ctx.job.params.name, (vm) => carriesMarker(vm, ctx.job.id));
        return {};
      },
    },
    {
      name: 'create-vm',
      async run(ctx) {
        const where = placed(ctx);
        const adopt = async () => {
          const mine = (await hostVms(ctx, where.host)).find((vm) => sameName(vm.name, ctx.job.params.name));
          if (!mine) return undefined;
          if (!carriesMarker(mine, ctx.job.id)) throw new AppError('VM_NAME_TAKEN', `a VM named ${ctx.job.params.name} already exists on ${where.host}`, { details: { host: where.host, vmId: mine.vmId } });
          ctx.log('info', `adopting VM ${mine.vmId}, created by this job before a restart`);
          return mine;
        };
        // One name check-and-create at a time per cluster (or host): two jobs naming their VM alike
        // on two nodes of one cluster cannot both pass the check.
        const vm = await ctx.withHostSlot(where.cluster ?? where.host, 'vm.name', async () => {
          const adopted = await adopt();
          if (adopted) return adopted;
          if (where.cluster) await assertNameFree(ctx, where.host, ctx.job.params.name, (other) => carriesMarker(other, ctx.job.id));
          try {
            const made = (await ctx.services.agent.vmCreate(where.host, createParams(ctx, where), callOptions(ctx))).vm;
            ctx.log('info', `created VM ${made.vmId}`);
            return made;
          } catch (error) {
            if (!agentCode(error, 'VM_NAME_CONFLICT')) throw error;
            const again = await adopt();
            if (!again) throw error;
            return again;
          }
        });
        await ctx.registerRollback('vm', { host: where.host, vmId: vm.vmId });
        await ctx.setTarget({ vmId: vm.vmId });
        return { vmId: vm.vmId, folder: vmFolder(vm) } satisfies CreateOutput;
      },
    },
    {
      name: 'copy-image',
      async run(ctx) {
        const { host, image } = placed(ctx);
        const { vmId, folder } = created(ctx);
        const p = ctx.job.params;
        const path = `${folder}\\${p.name}.vhdx`;
        const attachedAt = (vm: { disks: { path: string }[] }) => vm.disks.find((d) => d.path.toLowerCase() === path.toLowerCase());
        if (attachedAt(await requireVm(ctx, host, vmId))) return { path };
        const controller = (p.generation ?? image.generation) === 2 ? { controllerType: 'SCSI' as const } : { controllerType: 'IDE' as const };
        // Uncancellable: a copied disk must end up attached to the VM, whose removal (the rollback)
        // deletes its disks; a detached copy would outlive a cancelled job.
        const attach = () => ctx.services.agent.diskCreate(host, { vmId, path, ...controller, controllerNumber: 0, controllerLocation: 0 }, uncancellable(ctx));
        await ctx.withHostSlot(host, 'image.copy', () => hostWork(ctx, async () => {
          try {
            await ctx.services.agent.imageCopy(host, { image: image.name, destinationPath: path, mode: p.imageMode }, uncancellable(ctx));
            ctx.log('info', `${p.imageMode === 'full' ? 'copied' : 'made a differencing disk of'} ${image.name}`);
            await attach();
          } catch (error) {
            if (!agentCode(error, 'FILE_EXISTS')) throw error;
            // Left by an interrupted run: keep it if it is what we would have made, else make it again.
            const disk = (await attach()).disk;
            const right = p.imageMode === 'differencing' ? disk.parentPath?.toLowerCase() === image.path.toLowerCase() : disk.type !== 'Differencing';
            if (right) return;
            ctx.log('warn', `replacing ${path}: it is not a ${p.imageMode} copy of ${image.name}`);
            await ctx.services.agent.diskDelete(host, { vmId, diskId: disk.diskId, deleteFile: true }, uncancellable(ctx));
            await ctx.services.agent.imageCopy(host, { image: image.name, destinationPath: path, mode: p.imageMode }, uncancellable(ctx));
            await attach();
          }
        }));
        if (!attachedAt(await requireVm(ctx, host, vmId))) await attach();
        return { path };
      },
    },
    {
      name: 'data-disks',
      when: (ctx) => ctx.job.params.disks.length > 0,
      async run(ctx) {
        const { host } = placed(ctx);
        const { vmId, folder } = created(ctx);
        const paths: string[] = [];
        for (const [i, disk] of ctx.job.params.disks.entries()) {
          const path = `${folder}\\${ctx.job.params.name}-data${i + 1}.vhdx`;
          paths.push(path);
          const vm = await requireVm(ctx, host, vmId);
          if (vm.disks.some((d) => d.path.toLowerCase() === path.toLowerCase())) continue;
          await hostWork(ctx, async () => {
            try {
              await ctx.services.agent.diskCreate(host, { vmId, path, newDisk: { sizeBytes: disk.sizeGiB * GIB, type: disk.type } }, uncancellable(ctx));
            } catch (error) {
              if (!agentCode(error, 'FILE_EXISTS')) throw error;
              await ctx.services.agent.diskCreate(host, { vmId, path }, uncancellable(ctx));
            }
          });
          ctx.log('info', `added a ${disk.sizeGiB} GiB ${disk.type.toLowerCase()} disk`);
        }
        return { paths };
      },
    },
    {
      name: 'nics',
      when: (ctx) => ctx.job.params.nics.length > 0,
      async run(ctx) {
        const { host } = placed(ctx);
        const { vmId } = created(ctx);
        const nicIds: string[] = [];
        for (const [i, nic] of ctx.job.params.nics.entries()) {
          const name = nicName(nic, i);
          const vm = await requireVm(ctx, host, vmId);
          const existing = vm.nics.find((n) => n.name === name);
          if (existing) { nicIds.push(existing.nicId); continue; }
          const made = await ctx.services.agent.nicCreate(host, {
            vmId, switchName: nic.switchName, name,
            ...(nic.vlanId !== undefined ? { vlanId: nic.vlanId } : {}),
            ...(nic.macAddress !== undefined ? { macAddress: nic.macAddress } : {}),
          }, callOptions(ctx));
          nicIds.push(made.nic.nicId);
          ctx.log('info', `connected ${name} to ${nic.switchName}${nic.vlanId ? ` (VLAN ${nic.vlanId})` : ''}`);
        }
        return { nicIds };
      },
    },
    ...guestSteps({
      where: (ctx) => ({ host: placed(ctx).host, vmId: created(ctx).vmId }),
      osFamily: (ctx) => osFamilyOf(ctx as Ctx),
      config: (ctx) => joinGuestConfig((ctx as Ctx).job.params.guest ?? {}, (ctx as Ctx).secrets.guestPasswords),
      when: (ctx) => (ctx as Ctx).job.params.guest !== undefined,
      startWhen: (ctx) => (ctx as Ctx).job.params.start,
    }),
    {
      name: 'cluster-role',
      when: (ctx) => ctx.job.params.clustered,
      async run(ctx) {
        const { host, cluster } = placed(ctx);
        const { vmId } = created(ctx);
        const result = await ctx.services.agent.clusterAddVm(host, { vmId, ...(cluster ? { cluster } : {}) }, callOptions(ctx));
        ctx.log('info', `added as a role of cluster ${result.cluster}`);
        return { cluster: result.cluster, roleName: result.roleName };
      },
    },
    {
      name: 'finish',
      async run(ctx) {
        const { host } = placed(ctx);
        const { vmId } = created(ctx);
        // The job marker served its purpose: the notes become exactly what was asked for.
        const vm = await requireVm(ctx, host, vmId);
        if (vm.notes !== ctx.job.params.notes) await ctx.services.agent.vmUpdate(host, { vmId, notes: ctx.job.params.notes }, callOptions(ctx));
        await refreshVm(ctx, host, vmId);
        return {};
      },
    },
  ],
  rollbacks: {
    async vm(ctx, data) {
      const { host, vmId } = data as { host: string; vmId: string };
      await settled(ctx.job.id);
      try {
        const result = await ctx.services.agent.vmDelete(host, { vmId, force: true, deleteDisks: true }, uncancellable(ctx));
        ctx.log('info', `removed VM ${vmId} and ${result.deletedFiles.length} file(s)`);
      } catch (error) {
        if (!agentCode(error, 'VM_NOT_FOUND')) throw error;
      }
      await refreshVm(ctx, host, vmId);
    },
  },
  result(ctx) {
    const { host } = placed(ctx);
    const { vmId } = created(ctx);
    const ipv4 = (ctx.outputs['wait-applied'] as { ipv4?: string } | undefined)?.ipv4 ?? null;
    return { vmId, name: ctx.job.params.name, host, ipv4 };
  },
};
