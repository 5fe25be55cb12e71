/** nic.create, nic.update, nic.delete. */
import { AgentFailure, invalidState } from '../failure.ts';
import type { NicModel, VmModel } from '../model.ts';
import { DURATIONS } from '../runtime.ts';
import { nicId, nicView, vmView } from '../views.ts';
import { requireVm, type OpContext, type OpParams } from './context.ts';
import { guestReady } from './power.ts';

function requireSwitch(ctx: OpContext, name: string): string {
  const sw = ctx.host.switches.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!sw) throw new AgentFailure('SWITCH_NOT_FOUND', `No virtual switch named '${name}' on ${ctx.host.name}.`, { switchName: name, available: ctx.host.switches.map((s) => s.name) });
  return sw.name;
}

function requireNic(vm: VmModel, id: string): NicModel {
  const nic = vm.nics.find((n) => nicId(vm, n).toLowerCase() === id.toLowerCase());
  if (!nic) throw new AgentFailure('NIC_NOT_FOUND', `No network adapter '${id}' on virtual machine '${vm.name}'.`, { nicId: id });
  return nic;
}

/** Generation 1 has no hot-add of synthetic adapters. */
function checkHotPlug(vm: VmModel, what: string): void {
  if (vm.generation === 1 && vm.state !== 'Off') throw invalidState(what, vm.state);
  if (vm.busy) throw invalidState(what, vm.state);
}

export async function nicCreate(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const switchName = requireSwitch(ctx, p.switchName);
  checkHotPlug(vm, 'Adding a network adapter');
  if (vm.nics.length >= 64) throw new AgentFailure('INVALID_PARAMS', 'A virtual machine has at most 64 network adapters.');
  await ctx.sleep(DURATIONS.small);
  const nic: NicModel = {
    adapterId: ctx.rt.rng.guid(),
    name: p.name ?? 'Network Adapter',
    macAddress: p.macAddress ?? ctx.rt.rng.mac(),
    dynamicMac: p.macAddress === undefined,
    switchName,
    vlanId: p.vlanId ?? null,
    ipAddresses: guestReady(vm) && switchName === 'External' ? [`10.200.${ctx.rt.rng.int(0, 255)}.${ctx.rt.rng.int(10, 250)}`] : [],
  };
  vm.nics.push(nic);
  return { vm: vmView(ctx.host, vm), nic: nicView(vm, nic) };
}

export async function nicUpdate(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const nic = requireNic(vm, p.nicId);
  const switchName = p.switchName !== undefined ? requireSwitch(ctx, p.switchName) : undefined;
  await ctx.sleep(DURATIONS.small);
  if (switchName !== undefined && switchName !== nic.switchName) { nic.switchName = switchName; nic.ipAddresses = []; }
  if (p.vlanId !== undefined) nic.vlanId = p.vlanId;
  if (p.name !== undefined) nic.name = p.name;
  return { vm: vmView(ctx.host, vm), nic: nicView(vm, nic) };
}

export async function nicDelete(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const nic = requireNic(vm, p.nicId);
  checkHotPlug(vm, 'Removing a network adapter');
  const id = nicId(vm, nic);
  await ctx.sleep(DURATIONS.small);
  vm.nics = vm.nics.filter((n) => n !== nic);
  return { vm: vmView(ctx.host, vm), nicId: id };
}
