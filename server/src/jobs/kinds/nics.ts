/**
 * Network adapter jobs on an existing VM: `nic.create` (switch, access VLAN, static or dynamic
 * MAC), `nic.update` (switch, VLAN, name; verified) and `nic.delete`. Generation 1 VMs change
 * adapters only while Off.
 */
import { AppError } from '../../errors.ts';
import type { Nic, Vm } from '../../agent/types.generated.ts';
import type { JobKind } from '../kind.ts';
import { agentCode, callOptions, ensureAgentStep, observeVm, refreshStep, requireVm, uncancellable, type VmTarget } from './common.ts';

export interface NicCreateJobParams extends VmTarget { switchName: string; vlanId?: number | null; macAddress?: string; name?: string }
export interface NicUpdateJobParams extends VmTarget { nicId: string; switchName?: string; vlanId?: number | null; name?: string }
export interface NicDeleteJobParams extends VmTarget { nicId: string }

export function findNic(nics: Nic[], nicId: string): Nic | undefined {
  return nics.find((n) => n.nicId.toLowerCase() === nicId.toLowerCase());
}

/** Generation 1 VMs add and remove adapters only while Off. */
export function nicRefusal(vm: Pick<Vm, 'generation' | 'state'>, action: 'add' | 'remove'): string | null {
  return vm.generation === 1 && vm.state !== 'Off' ? `cannot ${action} a network adapter of a generation 1 VM that is ${vm.state}; turn it off first` : null;
}

export const nicCreateKind: JobKind<NicCreateJobParams> = {
  kind: 'nic.create',
  steps: [
    ensureAgentStep,
    {
      name: 'check',
      async run(ctx) {
        const { host, vmId } = ctx.job.params;
        const vm = await requireVm(ctx, host, vmId);
        const refusal = nicRefusal(vm, 'add');
        if (refusal) throw new AppError('VM_STATE_CONFLICT', refusal, { details: { state: vm.state } });
        // The adapters that exist before: a re-run of `create` recognises the one it added.
        return { before: vm.nics.map((n) => n.nicId) };
      },
    },
    {
      name: 'create',
      async run(ctx) {
        const { host, vmId, switchName, vlanId, macAddress, name } = ctx.job.params;
        const before = new Set((ctx.outputs['check'] as { before: string[] }).before.map((id) => id.toLowerCase()));
        const wanted = name ?? 'Network Adapter';
        const vm = await requireVm(ctx, host, vmId);
        const mine = vm.nics.find((n) => !before.has(n.nicId.toLowerCase()) && n.name === wanted && n.switchName === switchName);
        if (mine) {
          await ctx.registerRollback('nic', { host, vmId, nicId: mine.nicId });
          return { nicId: mine.nicId, macAddress: mine.macAddress };
        }
        const made = await ctx.services.agent.nicCreate(host, {
          vmId, switchName, name: wanted,
          ...(vlanId !== undefined ? { vlanId } : {}),
          ...(macAddress !== undefined ? { macAddress } : {}),
        }, callOptions(ctx));
        await ctx.registerRollback('nic', { host, vmId, nicId: made.nic.nicId });
        ctx.log('info', `added ${wanted} on ${switchName}${vlanId ? ` (VLAN ${vlanId})` : ''}, MAC ${made.nic.macAddress}`);
        return { nicId: made.nic.nicId, macAddress: made.nic.macAddress };
      },
    },
    refreshStep,
  ],
  rollbacks: {
    async nic(ctx, data) {
      const { host, vmId, nicId } = data as VmTarget & { nicId: string };
      try {
        await ctx.services.agent.nicDelete(host, { vmId, nicId }, uncancellable(ctx));
      } catch (error) {
        if (!agentCode(error, 'NIC_NOT_FOUND') && !agentCode(error, 'VM_NOT_FOUND')) throw error;
      }
    },
  },
  result(ctx) {
    return { vmId: ctx.job.params.vmId, ...(ctx.outputs['create'] as Record<string, unknown>) };
  },
};

export const nicUpdateKind: JobKind<NicUpdateJobParams> = {
  kind: 'nic.update',
  steps: [
    ensureAgentStep,
    {
      name: 'apply',
      async run(ctx) {
        const { host, vmId, nicId, switchName, vlanId, name } = ctx.job.params;
        if (!findNic((await requireVm(ctx, host, vmId)).nics, nicId)) throw new AppError('NOT_FOUND', `the VM has no network adapter ${nicId}`);
        await ctx.services.agent.nicUpdate(host, {
          vmId, nicId,
          ...(switchName !== undefined ? { switchName } : {}),
          ...(vlanId !== undefined ? { vlanId } : {}),
          ...(name !== undefined ? { name } : {}),
        }, callOptions(ctx));
        const after = findNic((await observeVm(ctx, host, vmId))?.nics ?? [], nicId);
        const wrong: string[] = [];
        if (!after) wrong.push('the adapter is gone');
        else {
          if (switchName !== undefined && after.switchName !== switchName) wrong.push(`switch is ${after.switchName ?? 'none'}`);
          if (vlanId !== undefined && after.vlanId !== vlanId) wrong.push(`VLAN is ${after.vlanId ?? 'untagged'}`);
          if (name !== undefined && after.name !== name) wrong.push(`name is ${after.name}`);
        }
        if (wrong.length > 0) throw new AppError('AGENT_OPERATION_FAILED', `the host did not apply the change: ${wrong.join(', ')}`);
        ctx.log('info', 'adapter changed and verified');
        return { nicId, switchName: after!.switchName, vlanId: after!.vlanId, name: after!.name };
      },
    },
    refreshStep,
  ],
  result(ctx) {
    return { vmId: ctx.job.params.vmId, ...(ctx.outputs['apply'] as Record<string, unknown>) };
  },
};

export const nicDeleteKind: JobKind<NicDeleteJobParams> = {
  kind: 'nic.delete',
  steps: [
    ensureAgentStep,
    {
      name: 'check',
      async run(ctx) {
        const { host, vmId, nicId } = ctx.job.params;
        const vm = await requireVm(ctx, host, vmId);
        const nic = findNic(vm.nics, nicId);
        if (!nic) throw new AppError('NOT_FOUND', `the VM has no network adapter ${nicId}`);
        const refusal = nicRefusal(vm, 'remove');
        if (refusal) throw new AppError('VM_STATE_CONFLICT', refusal, { details: { state: vm.state } });
        return { name: nic.name };
      },
    },
    {
      name: 'remove',
      async run(ctx) {
        const { host, vmId, nicId } = ctx.job.params;
        if (!findNic((await requireVm(ctx, host, vmId)).nics, nicId)) return {};
        await ctx.services.agent.nicDelete(host, { vmId, nicId }, callOptions(ctx));
        ctx.log('info', 'adapter removed');
        return {};
      },
    },
    refreshStep,
  ],
  result(ctx) {
    return { vmId: ctx.job.params.vmId, nicId: ctx.job.params.nicId };
  },
};
