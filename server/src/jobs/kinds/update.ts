/**
 * `update`: name, CPU count, memory and notes — really applied (vm.update) and then verified
 * against what the host reports. Changes Hyper-V only makes on a VM that is Off are refused for
 * a running VM unless `stopIfNeeded`: then shut down → change → start again (and started again
 * too if the change fails).
 */
import { AppError } from '../../errors.ts';
import type { Vm, VmUpdateParams } from '../../agent/types.generated.ts';
import type { JobKind } from '../kind.ts';
import { assertNameFree, callOptions, ensureAgentStep, observeVm, refreshStep, requireVm, uncancellable, type VmTarget } from './common.ts';

const MIB = 1024 * 1024;

export interface VmChanges {
  name?: string;
  cpuCount?: number;
  memory?: { startupMiB?: number; dynamic?: boolean; minimumMiB?: number; maximumMiB?: number };
  notes?: string;
}

export interface UpdateParams extends VmTarget { changes: VmChanges; stopIfNeeded: boolean }

/** The changes that need the VM Off (as vm.update documents): CPU count, and startup memory or the dynamic setting. */
export function changesNeedingOff(vm: Pick<Vm, 'cpuCount' | 'memory'>, changes: VmChanges): string[] {
  const needs: string[] = [];
  if (changes.cpuCount !== undefined && changes.cpuCount !== vm.cpuCount) needs.push('the CPU count');
  const m = changes.memory;
  if (m) {
    const dynamic = m.dynamic ?? vm.memory.dynamic;
    const startup = m.startupMiB !== undefined ? m.startupMiB * MIB : vm.memory.startupBytes;
    if (dynamic !== vm.memory.dynamic) needs.push('dynamic memory on or off');
    else if (startup !== vm.memory.startupBytes) needs.push('startup memory');
  }
  return needs;
}

/** Why the update cannot go ahead in this state, or null. */
export function updateRefusal(vm: Pick<Vm, 'cpuCount' | 'memory' | 'state'>, changes: VmChanges, stopIfNeeded: boolean): string | null {
  const needs = changesNeedingOff(vm, changes);
  if (needs.length === 0 || vm.state === 'Off') return null;
  if (stopIfNeeded && vm.state === 'Running') return null;
  const how = vm.state === 'Running' ? 'shut it down first, or pass stopIfNeeded=true' : 'turn it off first';
  return `changing ${needs.join(' and ')} needs the VM Off; it is ${vm.state} (${how})`;
}

function toAgent(vmId: string, changes: VmChanges): VmUpdateParams {
  const m = changes.memory;
  return {
    vmId,
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.cpuCount !== undefined ? { cpuCount: changes.cpuCount } : {}),
    ...(changes.notes !== undefined ? { notes: changes.notes } : {}),
    ...(m ? {
      memory: {
        ...(m.startupMiB !== undefined ? { startupBytes: m.startupMiB * MIB } : {}),
        ...(m.dynamic !== undefined ? { dynamic: m.dynamic } : {}),
        ...(m.minimumMiB !== undefined ? { minimumBytes: m.minimumMiB * MIB } : {}),
        ...(m.maximumMiB !== undefined ? { maximumBytes: m.maximumMiB * MIB } : {}),
      },
    } : {}),
  };
}

/** What the host reports that differs from what was asked. */
export function unapplied(vm: Vm, changes: VmChanges): string[] {
  const wrong: string[] = [];
  if (changes.name !== undefined && vm.name !== changes.name) wrong.push(`name is ${vm.name}`);
  if (changes.cpuCount !== undefined && vm.cpuCount !== changes.cpuCount) wrong.push(`CPU count is ${vm.cpuCount}`);
  if (changes.notes !== undefined && vm.notes !== changes.notes) wrong.push('notes differ');
  const m = changes.memory;
  if (m?.startupMiB !== undefined && vm.memory.startupBytes !== m.startupMiB * MIB) wrong.push(`startup memory is ${vm.memory.startupBytes / MIB} MiB`);
  if (m?.dynamic !== undefined && vm.memory.dynamic !== m.dynamic) wrong.push(`dynamic memory is ${vm.memory.dynamic ? 'on' : 'off'}`);
  if (m?.minimumMiB !== undefined && vm.memory.minimumBytes !== m.minimumMiB * MIB) wrong.push(`minimum memory is ${vm.memory.minimumBytes / MIB} MiB`);
  if (m?.maximumMiB !== undefined && vm.memory.maximumBytes !== m.maximumMiB * MIB) wrong.push(`maximum memory is ${vm.memory.maximumBytes / MIB} MiB`);
  return wrong;
}

const planned = (outputs: Record<string, unknown>) => outputs['check'] as { stop: boolean };

export const updateKind: JobKind<UpdateParams> = {
  kind: 'update',
  steps: [
    ensureAgentStep,
    {
      name: 'check',
      async run(ctx) {
        const { host, vmId, changes, stopIfNeeded } = ctx.job.params;
        const vm = await requireVm(ctx, host, vmId);
        const refusal = updateRefusal(vm, changes, stopIfNeeded);
        if (refusal) throw new AppError('VM_STATE_CONFLICT', refusal, { details: { state: vm.state } });
        if (changes.name !== undefined && changes.name !== vm.name) await assertNameFree(ctx, host, changes.name, (other) => other.vmId.toLowerCase() === vmId.toLowerCase());
        return { stop: changesNeedingOff(vm, changes).length > 0 && vm.state === 'Running' };
      },
    },
    {
      name: 'shutdown',
      when: (ctx) => planned(ctx.outputs).stop,
      async run(ctx) {
        const { host, vmId } = ctx.job.params;
        // Registered first: whatever happens next, the VM is left running as it was found.
        await ctx.registerRollback('start-again', { host, vmId });
        const vm = await requireVm(ctx, host, vmId);
        if (vm.state !== 'Off') await ctx.services.agent.vmPower(host, { vmId, action: 'shutdown' }, callOptions(ctx));
        ctx.log('info', 'shut down for the change');
        return {};
      },
    },
    {
      name: 'apply',
      async run(ctx) {
        const { host, vmId, changes } = ctx.job.params;
        const before = await requireVm(ctx, host, vmId);
        const vm = unapplied(before, changes).length === 0 ? before : (await ctx.services.agent.vmUpdate(host, toAgent(vmId, changes), callOptions(ctx))).vm;
        // Trust, but verify: read the VM back from the host.
        const after = (await observeVm(ctx, host, vmId)) ?? vm;
        const wrong = unapplied(after, changes);
        if (wrong.length > 0) throw new AppError('AGENT_OPERATION_FAILED', `the host did not apply the change: ${wrong.join(', ')}`, { details: { host } });
        ctx.log('info', 'changes applied and verified');
        return { name: after.name, cpuCount: after.cpuCount, memory: after.memory, notes: after.notes };
      },
    },
    {
      name: 'start-again',
      when: (ctx) => planned(ctx.outputs).stop,
      async run(ctx) {
        const { host, vmId } = ctx.job.params;
        const vm = await requireVm(ctx, host, vmId);
        if (vm.state !== 'Running') await ctx.services.agent.vmPower(host, { vmId, action: 'start' }, callOptions(ctx));
        return {};
      },
    },
    refreshStep,
  ],
  rollbacks: {
    async 'start-again'(ctx, data) {
      const { host, vmId } = data as VmTarget;
      const vm = await observeVm({ ...ctx, signal: new AbortController().signal }, host, vmId);
      if (vm && vm.state === 'Off') await ctx.services.agent.vmPower(host, { vmId, action: 'start' }, uncancellable(ctx));
    },
  },
  result(ctx) {
    return { vmId: ctx.job.params.vmId, ...(ctx.outputs['apply'] as Record<string, unknown>) };
  },
};
