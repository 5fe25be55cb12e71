/**
 * `delete`: turn the VM off when forced (a running VM is refused otherwise), remove its
 * cluster role, eject its provisioning ISO (the host deletes the copy next to the VM), remove
 * the VM, its disks when asked, and its folder once empty. Re-run after a restart, a VM that is
 * already gone counts as removed.
 */
import { AppError } from '../../errors.ts';
import type { JobKind } from '../kind.ts';
import { agentCode, callOptions, ensureAgentStep, observeVm, refreshStep, requireVm, type VmTarget } from './common.ts';

export interface DeleteParams extends VmTarget { force: boolean; deleteDisks: boolean }

interface CheckOutput { name: string; state: string; clustered: boolean; isoPath: string | null }

const checked = (outputs: Record<string, unknown>) => outputs['check'] as CheckOutput;

export function deleteRefusal(state: string, force: boolean): string | null {
  if (force || state === 'Off' || state === 'Saved') return null;
  return `cannot delete a VM that is ${state} without force=true (it would be turned off)`;
}

export const deleteKind: JobKind<DeleteParams> = {
  kind: 'delete',
  steps: [
    ensureAgentStep,
    {
      name: 'check',
      async run(ctx) {
        const { host, vmId, force } = ctx.job.params;
        const vm = await requireVm(ctx, host, vmId);
        const refusal = deleteRefusal(vm.state, force);
        if (refusal) throw new AppError('VM_STATE_CONFLICT', refusal, { details: { state: vm.state } });
        return { name: vm.name, state: vm.state, clustered: vm.clustered, isoPath: vm.isoPath } satisfies CheckOutput;
      },
    },
    {
      name: 'turn-off',
      when: (ctx) => !['Off', 'Saved'].includes(checked(ctx.outputs).state),
      async run(ctx) {
        const { host, vmId } = ctx.job.params;
        const vm = await observeVm(ctx, host, vmId);
        if (!vm || vm.state === 'Off') return {};
        await ctx.services.agent.vmPower(host, { vmId, action: 'stop' }, callOptions(ctx));
        ctx.log('warn', `turned off ${vm.name}`);
        return {};
      },
    },
    {
      name: 'cluster-role',
      when: (ctx) => checked(ctx.outputs).clustered,
      async run(ctx) {
        const { host, vmId } = ctx.job.params;
        if (!(await observeVm(ctx, host, vmId))) return { roleRemoved: false };
        const result = await ctx.services.agent.clusterRemoveVm(host, { vmId }, callOptions(ctx));
        if (result.roleRemoved) ctx.log('info', 'removed the cluster role');
        return { roleRemoved: result.roleRemoved };
      },
    },
    {
      name: 'eject-iso',
      when: (ctx) => checked(ctx.outputs).isoPath !== null,
      async run(ctx) {
        const { host, vmId } = ctx.job.params;
        if (!(await observeVm(ctx, host, vmId))) return { detached: false };
        const result = await ctx.services.agent.isoDetach(host, { vmId }, callOptions(ctx));
        return { detached: result.detached };
      },
    },
    {
      name: 'remove',
      async run(ctx) {
        const { host, vmId, force, deleteDisks } = ctx.job.params;
        try {
          const result = await ctx.services.agent.vmDelete(host, { vmId, force, deleteDisks }, callOptions(ctx));
          ctx.log('info', `removed ${result.name}${deleteDisks ? ` and ${result.deletedFiles.length} file(s)` : ' (its disks are kept)'}`);
          return { deletedFiles: result.deletedFiles };
        } catch (error) {
          if (!agentCode(error, 'VM_NOT_FOUND')) throw error;
          ctx.log('info', 'the VM is already gone');
          return { deletedFiles: [] };
        }
      },
    },
    refreshStep,
  ],
  result(ctx) {
    const { deletedFiles } = ctx.outputs['remove'] as { deletedFiles: string[] };
    return { vmId: ctx.job.params.vmId, name: checked(ctx.outputs).name, deletedFiles };
  },
};
