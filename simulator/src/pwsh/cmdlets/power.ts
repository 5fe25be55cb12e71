/**
 * Start-VM, Stop-VM, Restart-VM, Save-VM, Suspend-VM, Resume-VM, Remove-VMSavedState: the model's
 * own power state machine (host/ops/power.ts vmPower: transitions, their durations, memory
 * admission, guests), so both agents drive one implementation of Hyper-V's rules.
 */
import { vmPower } from '../../host/ops/power.ts';
import type { VmModel } from '../../host/model.ts';
import { CmdletError, hvError, type Wire } from '../wire.ts';
import { fromFailure, opContext, targetVms, type CmdletContext, type CmdletImpl } from './context.ts';
import { vmObject } from './objects.ts';

type Action = 'start' | 'shutdown' | 'stop' | 'reset' | 'save' | 'pause' | 'resume';

/** Hyper-V's answer when the VM is not in a state the cmdlet applies to. */
function refuse(c: CmdletContext, vm: VmModel, what: string): CmdletError {
  return new CmdletError(hvError(c.cmdlet, 'InvalidState', 'InvalidOperation', `'${vm.name}' failed to ${what}. The operation cannot be performed while the object is in its current state. (Virtual machine ID ${vm.id.toUpperCase()})`));
}

function power(action: Action | ((c: CmdletContext) => Action), what: string, noOp: (vm: VmModel) => boolean): CmdletImpl {
  return async (c) => {
    const out: Wire[] = [];
    for (const vm of targetVms(c)) {
      const a = typeof action === 'function' ? action(c) : action;
      if (!noOp(vm)) {
        if (vm.state === 'Starting' || vm.state === 'Stopping' || vm.state === 'Saving' || vm.state === 'Pausing' || vm.state === 'Resuming') throw refuse(c, vm, what);
        try {
          await vmPower(opContext(c), { vmId: vm.id, action: a });
        } catch (err) {
          const e = fromFailure(c, err);
          if (e.wire.category === 'InvalidOperation' && !/integration service/i.test(e.wire.message)) throw refuse(c, vm, what);
          throw e;
        }
      }
      if (c.params.Passthru) out.push(vmObject(c.host, vm));
    }
    return out;
  };
}

export const POWER_CMDLETS: Record<string, CmdletImpl> = {
  // Start-VM of a running VM, Stop-VM of an off one… are no-ops on Hyper-V too.
  'Start-VM': power('start', 'start', (vm) => vm.state === 'Running'),
  'Stop-VM': power((c) => (c.params.TurnOff ? 'stop' : c.params.Save ? 'save' : 'shutdown'), 'stop', (vm) => vm.state === 'Off'),
  'Restart-VM': power('reset', 'restart', () => false),
  'Save-VM': power('save', 'save', (vm) => vm.state === 'Saved'),
  'Suspend-VM': power('pause', 'pause', (vm) => vm.state === 'Paused'),
  'Resume-VM': power('resume', 'resume', (vm) => vm.state === 'Running'),
  'Remove-VMSavedState': power('stop', 'delete the saved state', (vm) => vm.state !== 'Saved'),
};
