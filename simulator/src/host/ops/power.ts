/**
 * vm.power: Hyper-V's power state machine with transition times. The call returns once the VM
 * has reached its target state; meanwhile the VM shows the intermediate state (Starting, …).
 */
import { AgentFailure, invalidState } from '../failure.ts';
import { fileStoreFor, freeMemoryBytes, type HostModel, type OsFamily, type VmModel, type VmState } from '../model.ts';
import { DURATIONS, scaled, type SimRuntime } from '../runtime.ts';
import { vmView } from '../views.ts';
import { launchGuest } from '../../guests/launcher.ts';
import { unattendOf, unattendOfFile } from '../../guests/iso-catalog.ts';
import { requireVm, type OpContext, type OpParams } from './context.ts';
import { installedFile } from './paths.ts';

type Action = 'start' | 'shutdown' | 'stop' | 'reset' | 'save' | 'pause' | 'resume';

interface Transition { from: VmState[]; done: VmState; via: VmState; ms: number }

const TRANSITIONS: Record<Action, Transition> = {
  start: { from: ['Off', 'Saved'], done: 'Running', via: 'Starting', ms: DURATIONS.start },
  shutdown: { from: ['Running'], done: 'Off', via: 'Stopping', ms: DURATIONS.shutdown },
  stop: { from: ['Running', 'Paused', 'Saved'], done: 'Off', via: 'Stopping', ms: DURATIONS.turnOff },
  reset: { from: ['Running'], done: 'Running', via: 'Running', ms: DURATIONS.reset },
  save: { from: ['Running', 'Paused'], done: 'Saved', via: 'Saving', ms: DURATIONS.save },
  pause: { from: ['Running'], done: 'Paused', via: 'Pausing', ms: DURATIONS.pause },
  resume: { from: ['Paused'], done: 'Running', via: 'Resuming', ms: DURATIONS.resume },
};

/** The OS on the VM's first disk (the disk chain ends in a golden image), or null for a blank VM. */
export function bootOs(host: HostModel, vm: VmModel): { family: OsFamily; name: string } | null {
  const first = vm.disks[0];
  if (!first) return null;
  const f = fileStoreFor(host, first.path).get(first.path);
  return f?.kind === 'vhdx' && f.os ? { family: f.os.family, name: f.os.name } : null;
}

export function guestReady(vm: VmModel, now = Date.now()): boolean {
  return vm.state === 'Running' && vm.guestReadyAt !== null && vm.guestReadyAt <= now;
}

export function stopGuest(vm: VmModel): void {
  vm.guest?.stop();
  vm.guest = null;
}

export async function vmPower(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const action = p.action as Action;
  const previousState = vm.state;
  const t = TRANSITIONS[action];
  if (vm.busy) throw invalidState(`Cannot ${action} while the virtual machine is changing state`, vm.state);
  if (vm.state === t.done && action !== 'reset') return { vm: vmView(ctx.host, vm), previousState };
  if (!t.from.includes(vm.state)) throw invalidState(`Cannot ${action} the virtual machine`, vm.state);
  if (action === 'start' || action === 'resume') {
    const free = freeMemoryBytes(ctx.host) + (action === 'resume' ? vm.memory.startupBytes : 0);
    if (action === 'start' && free < vm.memory.startupBytes) {
      throw new AgentFailure('INSUFFICIENT_MEMORY', `'${vm.name}' could not initialize: not enough memory in the system to start the virtual machine (needs ${vm.memory.startupBytes} bytes, ${free} free).`, { requiredBytes: vm.memory.startupBytes, freeBytes: free });
    }
  }
  if (action === 'shutdown' && !guestReady(vm)) {
    throw new AgentFailure('GUEST_UNAVAILABLE', `The shutdown integration service of '${vm.name}' is not available: the guest operating system is not running.`, { currentState: vm.state });
  }
  vm.busy = true;
  vm.state = t.via;
  try {
    await ctx.sleep(action === 'start' && previousState === 'Saved' ? DURATIONS.startFromSaved : t.ms);
  } catch (err) {
    vm.state = previousState;
    throw err;
  } finally {
    vm.busy = false;
  }
  vm.state = t.done;
  const now = Date.now();
  if (t.done === 'Off' || t.done === 'Saved') {
    stopGuest(vm);
    if (t.done === 'Off') { vm.startedAt = null; vm.guestReadyAt = null; }
  }
  if (action === 'start' || action === 'reset') onBoot(ctx.host, vm, ctx.rt, now, previousState === 'Saved');
  ctx.log('info', `${vm.name}: ${previousState} -> ${vm.state}`);
  return { vm: vmView(ctx.host, vm), previousState };
}

function onBoot(host: HostModel, vm: VmModel, rt: SimRuntime, now: number, restored: boolean): void {
  if (restored && vm.startedAt !== null) return;
  vm.startedAt = now;
  const os = bootOs(host, vm);
  vm.guestReadyAt = os ? now + scaled(rt, DURATIONS.guestBoot) : null;
  if (!os) return;
  vm.osName = os.name;
  // DHCP on the external network for adapters the guest has no address for yet.
  for (const n of vm.nics) {
    if (n.ipAddresses.length === 0 && n.switchName === 'External') n.ipAddresses = [`10.200.${rt.rng.int(0, 255)}.${rt.rng.int(10, 250)}`];
  }
  stopGuest(vm);
  const iso = provisioningIso(host, vm.dvd?.path ?? null);
  if (iso && iso.family === os.family) vm.guest = launchGuest({ host, vm, rt, isoVersion: iso.version, family: iso.family, readyAt: vm.guestReadyAt ?? now, unattend: iso.diskPath ? unattendOfFile(iso.diskPath) : unattendOf(iso.sha256) });
}

/** The provisioning ISO in the DVD drive (the VM's copy, or an installed one), with its version. */
function provisioningIso(host: HostModel, path: string | null): { family: OsFamily; version: string; sha256?: string; diskPath?: string } | null {
  if (path === null) return null;
  const installed = installedFile(host, path);
  if (installed) return /provisioning/i.test(installed.name) ? { family: /linux/i.test(installed.name) ? 'linux' : 'windows', version: installed.version ?? '', sha256: installed.sha256 } : null;
  const f = fileStoreFor(host, path).get(path);
  return f?.kind === 'iso' && f.osFamily && f.version !== null && /provisioning/i.test(path) ? { family: f.osFamily, version: f.version, ...(f.sha256 ? { sha256: f.sha256 } : {}), ...(f.diskPath ? { diskPath: f.diskPath } : {}) } : null;
}
