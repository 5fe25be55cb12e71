/**
 * `initialize`: the guest configuration phase alone, for a VM created by other means (from a
 * golden image with the provisioning agent, and still Off: the agent on the ISO runs at first
 * boot).
 */
import { AppError } from '../../errors.ts';
import type { OsFamily } from '../../agent/types.generated.ts';
import type { JobKind } from '../kind.ts';
import { ensureAgentStep, refreshStep, requireVm, type VmTarget } from './common.ts';
import { guestCleanup, guestSteps } from './guest.ts';
import { joinGuestConfig, type GuestSecrets } from './guest-secrets.ts';

export interface InitializeParams extends VmTarget {
  osFamily: OsFamily;
  /** The guest configuration without passwords; they are in the secrets. */
  guest: Record<string, unknown>;
}

export function initializeRefusal(state: string): string | null {
  return state === 'Off' ? null : `cannot initialize a VM that is ${state}: the provisioning agent runs at first boot, so the VM must be Off`;
}

export const initializeKind: JobKind<InitializeParams, GuestSecrets> = {
  kind: 'initialize',
  steps: [
    ensureAgentStep,
    {
      name: 'check',
      async run(ctx) {
        const { host, vmId } = ctx.job.params;
        const vm = await requireVm(ctx, host, vmId);
        const refusal = initializeRefusal(vm.state);
        if (refusal) throw new AppError('VM_STATE_CONFLICT', refusal, { details: { state: vm.state } });
        if (vm.disks.length === 0) throw new AppError('VM_STATE_CONFLICT', 'the VM has no disk to boot from', { details: { state: vm.state } });
        return { name: vm.name };
      },
    },
    ...guestSteps({
      where: (ctx) => ({ host: (ctx.job.params as InitializeParams).host, vmId: (ctx.job.params as InitializeParams).vmId }),
      osFamily: (ctx) => (ctx.job.params as InitializeParams).osFamily,
      config: (ctx) => joinGuestConfig((ctx.job.params as InitializeParams).guest, (ctx.secrets as GuestSecrets).guestPasswords),
      registerCleanup: true,
    }),
    refreshStep,
  ],
  rollbacks: { 'guest-cleanup': guestCleanup },
  result(ctx) {
    const ipv4 = (ctx.outputs['wait-applied'] as { ipv4?: string } | undefined)?.ipv4 ?? null;
    return { vmId: ctx.job.params.vmId, host: ctx.job.params.host, ipv4 };
  },
};
