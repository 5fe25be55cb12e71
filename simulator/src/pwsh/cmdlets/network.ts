/**
 * Switches and adapters: Get-VMSwitch, Get/Add/Remove/Rename/Connect-VMNetworkAdapter and
 * Get/Set-VMNetworkAdapterVlan (VM adapters and the management OS's).
 */
import { findVm, type NicModel, type VmModel } from '../../host/model.ts';
import { guestReady } from '../../host/ops/power.ts';
import { DURATIONS } from '../../host/runtime.ts';
import { CmdletError, hvError, many, refOf, type Wire } from '../wire.ts';
import { oneVm, opContext, targetVms, wildcard, type CmdletContext, type CmdletImpl } from './context.ts';
import { managementNicObjects, nicObject, switchObject } from './objects.ts';

const getSwitch: CmdletImpl = (c) => {
  const names = many(c.params.Name) as string[];
  const out = c.host.switches.filter((s) => (names.length === 0 || names.some((n) => wildcard(n).test(s.name))) &&
    (c.params.Id === undefined || String(c.params.Id).toLowerCase() === s.id.toLowerCase()) &&
    (c.params.SwitchType === undefined || s.type === c.params.SwitchType));
  for (const n of names) {
    if (!/[*?]/.test(n) && !c.host.switches.some((s) => wildcard(n).test(s.name))) c.errors.push(hvError(c.cmdlet, 'InvalidParameter', 'ObjectNotFound', `Hyper-V was unable to find a virtual switch with name "${n}".`));
  }
  return out.map((s) => switchObject(c.host, s.name));
};

function requireSwitch(c: CmdletContext, name: string): string {
  const s = c.host.switches.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!s) throw new CmdletError(hvError(c.cmdlet, 'InvalidParameter', 'ObjectNotFound', `Hyper-V was unable to find a virtual switch with name "${name}".`));
  return s.name;
}

function adapterFromRef(c: CmdletContext, value: unknown): { vm: VmModel; n: NicModel } {
  const [, vmId, adapterId] = (refOf(value) ?? '').split(':');
  const vm = vmId ? findVm(c.host, vmId) : undefined;
  const n = vm?.nics.find((x) => x.adapterId === adapterId);
  if (!vm || !n) throw new CmdletError(hvError(c.cmdlet, 'ObjectNotFound', 'ObjectNotFound', 'The network adapter no longer exists.'));
  return { vm, n };
}

function adapters(c: CmdletContext): { vm: VmModel; n: NicModel }[] {
  if (c.params.VMNetworkAdapter !== undefined) return many(c.params.VMNetworkAdapter).map((v) => adapterFromRef(c, v));
  return targetVms(c).flatMap((vm) => vm.nics.filter((n) => c.params.Name === undefined || wildcard(String(c.params.Name)).test(n.name)).map((n) => ({ vm, n })));
}

const getAdapter: CmdletImpl = (c) => {
  if (c.params.ManagementOS) return managementNicObjects(c.host);
  return adapters(c).map(({ vm, n }) => nicObject(vm, n));
};

async function addAdapter(c: CmdletContext): Promise<Wire[]> {
  const vm = oneVm(c);
  const switchName = c.params.SwitchName !== undefined ? requireSwitch(c, String(c.params.SwitchName)) : null;
  if (vm.generation === 1 && vm.state !== 'Off') throw new CmdletError(hvError(c.cmdlet, 'InvalidState', 'InvalidOperation', `Failed to add device 'Synthetic Ethernet Port' while '${vm.name}' is running.`));
  await opContext(c).sleep(DURATIONS.small);
  const staticMac = c.params.StaticMacAddress as string | undefined;
  const n: NicModel = {
    adapterId: c.rt.rng.guid(),
    name: String(c.params.Name ?? 'Network Adapter'),
    macAddress: staticMac ?? c.rt.rng.mac(),
    dynamicMac: staticMac === undefined,
    switchName,
    vlanId: null,
    ipAddresses: guestReady(vm) && switchName === 'External' ? [`10.200.${c.rt.rng.int(0, 255)}.${c.rt.rng.int(10, 250)}`] : [],
  };
  vm.nics.push(n);
  return c.params.Passthru ? [nicObject(vm, n)] : [];
}

const removeAdapter: CmdletImpl = (c) => {
  for (const { vm, n } of adapters(c)) {
    if (vm.generation === 1 && vm.state !== 'Off') throw new CmdletError(hvError(c.cmdlet, 'InvalidState', 'InvalidOperation', `Failed to remove device 'Synthetic Ethernet Port' while '${vm.name}' is running.`));
    vm.nics = vm.nics.filter((x) => x !== n);
  }
  return [];
};

const renameAdapter: CmdletImpl = (c) => {
  const hits = adapters(c);
  for (const { n } of hits) n.name = String(c.params.NewName);
  return c.params.Passthru ? hits.map(({ vm, n }) => nicObject(vm, n)) : [];
};

const connectAdapter: CmdletImpl = (c) => {
  const name = requireSwitch(c, String(c.params.SwitchName));
  const hits = adapters(c);
  for (const { n } of hits) if (n.switchName !== name) { n.switchName = name; n.ipAddresses = []; }
  return c.params.Passthru ? hits.map(({ vm, n }) => nicObject(vm, n)) : [];
};

const getVlan: CmdletImpl = (c) => {
  if (c.params.ManagementOS) return managementNicObjects(c.host).map((o) => (o as Record<string, Wire>).VlanSetting as Wire);
  const refs = many(c.params.VMNetworkAdapter).map((v) => refOf(v) ?? '');
  const mgmt = refs.filter((r) => r.startsWith('mgmt:'));
  if (mgmt.length > 0) {
    return managementNicObjects(c.host).filter((o) => mgmt.some((r) => r.slice(5) === String((o as Record<string, Wire>).$ref).slice(5))).map((o) => (o as Record<string, Wire>).VlanSetting as Wire);
  }
  return adapters(c).map(({ vm, n }) => (nicObject(vm, n) as Record<string, Wire>).VlanSetting as Wire);
};

const setVlan: CmdletImpl = (c) => {
  for (const { n } of adapters(c)) {
    if (c.params.Untagged) n.vlanId = null;
    else if (c.params.Access) {
      const id = Number(c.params.VlanId);
      if (!(id >= 1 && id <= 4094)) throw new CmdletError(hvError(c.cmdlet, 'InvalidParameter', 'InvalidArgument', `The VLAN identifier ${id} is not valid: it must be between 1 and 4094.`));
      n.vlanId = id;
    }
  }
  return [];
};

export const NETWORK_CMDLETS: Record<string, CmdletImpl> = {
  'Get-VMSwitch': getSwitch,
  'Get-VMNetworkAdapter': getAdapter,
  'Add-VMNetworkAdapter': addAdapter,
  'Remove-VMNetworkAdapter': removeAdapter,
  'Rename-VMNetworkAdapter': renameAdapter,
  'Connect-VMNetworkAdapter': connectAdapter,
  'Get-VMNetworkAdapterVlan': getVlan,
  'Set-VMNetworkAdapterVlan': setVlan,
};
