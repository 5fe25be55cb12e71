/**
 * `power`: start, shutdown (through the guest), stop (turn off), reset, save, pause, resume —
 * checked against the VM's state as its host reports it, then done and verified.
 */
import { AppError } from '../../errors.ts';
import type { VmPowerParams, VmState } from '../../agent/types.generated.ts';
import type { JobKind } from '../kind.ts';
import { callOptions, ensureAgentStep, refreshStep, requireVm, type VmTarget } from './common.ts';

export type PowerAction = VmPowerParams['action'];
export const POWER_ACTIONS: readonly PowerAction[] = ['start', 'shutdown', 'stop', 'reset', 'save', 'pause', 'resume'];

export interface PowerParams extends VmTarget { action: PowerAction }

/** Hyper-V's power state machine: the states each action starts from, and where it ends. */
const TRANSITIONS: Record<PowerAction, { from: VmState[]; done: VmState }> = {
  start: { from: ['Off', 'Saved'], done: 'Running' },
  shutdown: { from: ['Running'], done: 'Off' },
  stop: { from: ['Running', 'Paused', 'Saved'], done: 'Off' },
  reset: { from: ['Running'], done: 'Running' },
  save: { from: ['Running', 'Paused'], done: 'Saved' },
  pause: { from: ['Running'], done: 'Paused' },
  resume: { from: ['Paused'], done: 'Running' },
};

/** Why `action` is impossible in `state`, or null. Already being in the target state is fine (nothing to do). */
export function powerRefusal(state: VmState, action: PowerAction): string | null {
  const t = TRANSITIONS[action];
  if (action !== 'reset' && state === t.done) return null;
  if (t.from.includes(state)) return null;
  return `cannot ${action} a VM that is ${state}`;
}

export const powerKind: JobKind<PowerParams> = {
  kind: 'power',
  steps: [
    ensureAgentStep,
    {
      name: 'power',
      async run(ctx) {
        const { host, vmId, action } = ctx.job.params;
        const vm = await requireVm(ctx, host, vmId);
        const refusal = powerRefusal(vm.state, action);
        if (refusal) throw new AppError('VM_STATE_CONFLICT', refusal, { details: { state: vm.state, action } });
        const result = await ctx.services.agent.vmPower(host, { vmId, action }, callOptions(ctx));
        const expected = TRANSITIONS[action].done;
        if (result.vm.state !== expected) {
          throw new AppError('AGENT_OPERATION_FAILED', `after ${action}, ${host} reports the VM ${result.vm.state}, not ${expected}`, { details: { host, state: result.vm.state } });
        }
        ctx.log('info', `${action}: ${result.previousState} → ${result.vm.state}`);
        return { previousState: result.previousState, state: result.vm.state };
      },
    },
    refreshStep,
  ],
  result(ctx) {
    const out = ctx.outputs['power'] as { previousState: VmState; state: VmState };
    return { vmId: ctx.job.params.vmId, action: ctx.job.params.action, ...out };
  },
};
