/**
 * Disk jobs on an existing VM: `disk.create` (a new VHDX in the VM's folder, named after the
 * job so a re-run finds its own), `disk.update` (expand; verified) and `disk.delete` (detach,
 * and delete the file when asked).
 */
import { AppError } from '../../errors.ts';
import type { ControllerType, Disk } from '../../agent/types.generated.ts';
import type { JobKind } from '../kind.ts';
import { agentCode, callOptions, ensureAgentStep, hostWork, observeVm, refreshStep, requireVm, settled, uncancellable, vmFolder, type VmTarget } from './common.ts';

const GIB = 1024 * 1024 * 1024;

export interface DiskCreateJobParams extends VmTarget {
  sizeGiB: number;
  type: 'Dynamic' | 'Fixed';
  controllerType?: ControllerType;
}
export interface DiskUpdateJobParams extends VmTarget { diskId: string; sizeGiB: number }
export interface DiskDeleteJobParams extends VmTarget { diskId: string; deleteFile: boolean }

const samePath = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findDisk(disks: Disk[], diskId: string): Disk | undefined {
  return disks.find((d) => d.diskId.toLowerCase() === diskId.toLowerCase());
}

export const diskCreateKind: JobKind<DiskCreateJobParams> = {
  kind: 'disk.create',
  steps: [
    ensureAgentStep,
    {
      name: 'create',
      async run(ctx) {
        const { host, vmId, sizeGiB, type, controllerType } = ctx.job.params;
        const vm = await requireVm(ctx, host, vmId);
        const path = `${vmFolder(vm)}\\${vm.name}-${ctx.job.id.slice(0, 8)}.vhdx`;
        await ctx.registerRollback('disk', { host, vmId, path });
        const mine = vm.disks.find((d) => samePath(d.path, path));
        if (mine) return { diskId: mine.diskId, path };
        const disk = await hostWork(ctx, async () => {
          try {
            return (await ctx.services.agent.diskCreate(host, { vmId, path, newDisk: { sizeBytes: sizeGiB * GIB, type }, ...(controllerType ? { controllerType } : {}) }, uncancellable(ctx))).disk;
          } catch (error) {
            if (!agentCode(error, 'FILE_EXISTS')) throw error;
            return (await ctx.services.agent.diskCreate(host, { vmId, path, ...(controllerType ? { controllerType } : {}) }, uncancellable(ctx))).disk;
          }
        });
        ctx.log('info', `added a ${sizeGiB} GiB ${type.toLowerCase()} disk at ${disk.controllerType} ${disk.controllerNumber}:${disk.controllerLocation}`);
        return { diskId: disk.diskId, path };
      },
    },
    refreshStep,
  ],
  rollbacks: {
    async disk(ctx, data) {
      const { host, vmId, path } = data as VmTarget & { path: string };
      await settled(ctx.job.id);
      const vm = await observeVm({ ...ctx, signal: new AbortController().signal }, host, vmId);
      const disk = vm?.disks.find((d) => samePath(d.path, path));
      if (disk) await ctx.services.agent.diskDelete(host, { vmId, diskId: disk.diskId, deleteFile: true }, uncancellable(ctx));
    },
  },
  result(ctx) {
    return { vmId: ctx.job.params.vmId, ...(ctx.outputs['create'] as Record<string, unknown>) };
  },
};

export const diskUpdateKind: JobKind<DiskUpdateJobParams> = {
  kind: 'disk.update',
  steps: [
    ensureAgentStep,
    {
      name: 'expand',
      async run(ctx) {
        const { host, vmId, diskId, sizeGiB } = ctx.job.params;
        const disk = findDisk((await requireVm(ctx, host, vmId)).disks, diskId);
        if (!disk) throw new AppError('NOT_FOUND', `the VM has no disk ${diskId}`);
        const sizeBytes = sizeGiB * GIB;
        if (disk.sizeBytes > sizeBytes) throw new AppError('CONFLICT', `the disk is ${disk.sizeBytes / GIB} GiB; disks can only grow`);
        const after = disk.sizeBytes === sizeBytes ? disk : (await ctx.services.agent.diskUpdate(host, { vmId, diskId, sizeBytes }, callOptions(ctx))).disk;
        if (after.sizeBytes !== sizeBytes) throw new AppError('AGENT_OPERATION_FAILED', `the host reports the disk at ${after.sizeBytes} bytes, not ${sizeBytes}`);
        ctx.log('info', `disk expanded to ${sizeGiB} GiB`);
        return { diskId, sizeBytes: after.sizeBytes };
      },
    },
    refreshStep,
  ],
  result(ctx) {
    return { vmId: ctx.job.params.vmId, ...(ctx.outputs['expand'] as Record<string, unknown>) };
  },
};

export const diskDeleteKind: JobKind<DiskDeleteJobParams> = {
  kind: 'disk.delete',
  steps: [
    ensureAgentStep,
    {
      name: 'check',
      async run(ctx) {
        const { host, vmId, diskId } = ctx.job.params;
        const disk = findDisk((await requireVm(ctx, host, vmId)).disks, diskId);
        if (!disk) throw new AppError('NOT_FOUND', `the VM has no disk ${diskId}`);
        return { path: disk.path };
      },
    },
    {
      name: 'remove',
      async run(ctx) {
        const { host, vmId, diskId, deleteFile } = ctx.job.params;
        const disk = findDisk((await requireVm(ctx, host, vmId)).disks, diskId);
        if (!disk) return { fileDeleted: false };
        const result = await ctx.services.agent.diskDelete(host, { vmId, diskId, deleteFile }, callOptions(ctx));
        ctx.log('info', `detached ${result.path}${result.fileDeleted ? ' and deleted the file' : ''}`);
        return { fileDeleted: result.fileDeleted };
      },
    },
    refreshStep,
  ],
  result(ctx) {
    return { vmId: ctx.job.params.vmId, diskId: ctx.job.params.diskId, ...(ctx.outputs['check'] as Record<string, unknown>), ...(ctx.outputs['remove'] as Record<string, unknown>) };
  },
};
