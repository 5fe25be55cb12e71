/** Get-VM, New-VM, Set-VM, Rename-VM, Remove-VM, Get-VMHost and the VM settings cmdlets. */
import { joinPath } from '../../host/files.ts';
import { fileStoreFor, findVm, MIB, type VmModel } from '../../host/model.ts';
import { guestReady, stopGuest } from '../../host/ops/power.ts';
import { DURATIONS } from '../../host/runtime.ts';
import { newVmModel } from '../../host/seed.ts';
import { DiskFileStore } from '../disk-store.ts';
import { vmcxPath, writeVmcx } from '../drive.ts';
import { CmdletError, enumValue, guid, HV, hvError, int, psObject, type Wire } from '../wire.ts';
import { normalisePath, oneVm, opContext, targetVms, type CmdletContext, type CmdletImpl } from './context.ts';
import { vmHostObject, vmObject } from './objects.ts';

const passthru = (c: CmdletContext, vms: VmModel[]): Wire[] => (c.params.Passthru ? vms.map((vm) => vmObject(c.host, vm)) : []);

function notFoundById(c: CmdletContext, id: string): CmdletError {
  return new CmdletError(hvError(c.cmdlet, 'InvalidParameter', 'ObjectNotFound', `Hyper-V was unable to find a virtual machine with id "${id}".`), true);
}

const getVm: CmdletImpl = (c) => {
  if (c.params.Id !== undefined && c.params.Id !== null) {
    const vm = findVm(c.host, String(c.params.Id));
    if (!vm) throw notFoundById(c, String(c.params.Id));
    return [vmObject(c.host, vm)];
  }
  return targetVms(c, c.params.Name).map((vm) => vmObject(c.host, vm));
};

async function newVm(c: CmdletContext): Promise<Wire[]> {
  const p = c.params;
  const name = String(p.Name);
  const base = p.Path !== undefined ? normalisePath(p.Path) : 'C:\\Hyper-V';
  const folder = joinPath(base, name);
  const store = fileStoreFor(c.host, folder);
  const generation = Number(p.Generation ?? 1) as 1 | 2;
  const startup = Number(p.MemoryStartupBytes ?? (generation === 2 ? 1024 : 512) * MIB);
  const vhdPath = p.VHDPath !== undefined ? normalisePath(p.VHDPath) : undefined;
  if (vhdPath !== undefined && fileStoreFor(c.host, vhdPath).get(vhdPath)?.kind !== 'vhdx') {
    throw new CmdletError(hvError(c.cmdlet, 'ObjectNotFound', 'ObjectNotFound', `The system cannot find the file specified: '${vhdPath}'.`));
  }
  await opContext(c).sleep(DURATIONS.createVm);
  const vm = newVmModel(c.rt.rng, {
    name,
    generation,
    cpuCount: 1,
    memory: { startupBytes: startup, dynamic: false, minimumBytes: startup, maximumBytes: startup },
    configurationPath: folder,
    notes: '',
    creationTime: Date.now(),
    secureBootTemplate: generation === 2 ? 'MicrosoftWindows' : 'Disabled',
  });
  if (vhdPath !== undefined) vm.disks.push({ path: vhdPath, controllerType: generation === 2 ? 'SCSI' : 'IDE', controllerNumber: 0, controllerLocation: 0 });
  // New-VM adds one unconnected synthetic adapter named 'Network Adapter'.
  vm.nics.push({ adapterId: c.rt.rng.guid(), name: 'Network Adapter', macAddress: '000000000000', dynamicMac: true, switchName: null, vlanId: null, ipAddresses: [] });
  store.mkdirp(folder);
  if (store instanceof DiskFileStore) writeVmcx(store, folder, vm.id, name);
  c.host.vms.set(vm.id, vm);
  return [vmObject(c.host, vm)];
}

const setVm: CmdletImpl = (c) => {
  const vms = targetVms(c);
  for (const vm of vms) {
    if (c.params.Notes !== undefined) vm.notes = String(c.params.Notes);
    if (c.params.NewVMName !== undefined) vm.name = String(c.params.NewVMName);
    if (c.params.ProcessorCount !== undefined) setProcessor(c, vm, Number(c.params.ProcessorCount));
  }
  return passthru(c, vms);
};

const renameVm: CmdletImpl = (c) => {
  const vms = targetVms(c);
  for (const vm of vms) vm.name = String(c.params.NewName);
  return passthru(c, vms);
};

function setProcessor(c: CmdletContext, vm: VmModel, count: number): void {
  if (count > c.host.logicalProcessors) {
    throw new CmdletError(hvError(c.cmdlet, 'InvalidParameter', 'InvalidArgument', `Failed to modify device 'Processor'. The virtual machine '${vm.name}' cannot have ${count} virtual processors: the host has ${c.host.logicalProcessors} logical processors.`));
  }
  if (count !== vm.cpuCount && vm.state !== 'Off') {
    throw new CmdletError(hvError(c.cmdlet, 'InvalidState', 'InvalidOperation', `Failed to modify device 'Processor'. The operation cannot be performed while the virtual machine '${vm.name}' is in its current state.`));
  }
  vm.cpuCount = count;
}

const setVmProcessor: CmdletImpl = (c) => {
  const vms = targetVms(c);
  for (const vm of vms) if (c.params.Count !== undefined) setProcessor(c, vm, Number(c.params.Count));
  return [];
};

const setVmMemory: CmdletImpl = (c) => {
  const vms = targetVms(c);
  for (const vm of vms) {
    const m = { ...vm.memory };
    if (c.params.DynamicMemoryEnabled !== undefined) m.dynamic = Boolean(c.params.DynamicMemoryEnabled);
    if (c.params.StartupBytes !== undefined) m.startupBytes = Number(c.params.StartupBytes);
    if (c.params.MinimumBytes !== undefined) m.minimumBytes = Number(c.params.MinimumBytes);
    if (c.params.MaximumBytes !== undefined) m.maximumBytes = Number(c.params.MaximumBytes);
    if (!m.dynamic) { m.minimumBytes = m.startupBytes; m.maximumBytes = m.startupBytes; }
    else if (!vm.memory.dynamic) {
      // Turning dynamic memory on keeps Hyper-V's defaults for what was not given.
      if (c.params.MinimumBytes === undefined) m.minimumBytes = Math.min(512 * MIB, m.startupBytes);
      if (c.params.MaximumBytes === undefined) m.maximumBytes = 1024 ** 4;
    }
    const changesFixed = m.dynamic !== vm.memory.dynamic || m.startupBytes !== vm.memory.startupBytes;
    if (changesFixed && vm.state !== 'Off') {
      throw new CmdletError(hvError(c.cmdlet, 'InvalidState', 'InvalidOperation', `Failed to modify device 'Memory'. Changing startup memory or dynamic memory is not possible while '${vm.name}' is running.`));
    }
    if (m.minimumBytes > m.startupBytes || m.startupBytes > m.maximumBytes) {
      throw new CmdletError(hvError(c.cmdlet, 'InvalidParameter', 'InvalidArgument', `Failed to modify device 'Memory'. The minimum must not exceed the startup memory, nor the startup memory the maximum.`));
    }
    vm.memory = m;
  }
  return [];
};

const setVmFirmware: CmdletImpl = (c) => {
  for (const vm of targetVms(c)) {
    if (vm.generation !== 2) throw new CmdletError(hvError(c.cmdlet, 'InvalidParameter', 'InvalidArgument', `Generation 1 virtual machines have no firmware settings.`));
    if (c.params.EnableSecureBoot === 'Off') vm.secureBootTemplate = 'Disabled';
    if (c.params.SecureBootTemplate !== undefined) vm.secureBootTemplate = String(c.params.SecureBootTemplate);
  }
  return [];
};

async function removeVm(c: CmdletContext): Promise<Wire[]> {
  for (const vm of targetVms(c)) {
    if (vm.state !== 'Off' && vm.state !== 'Saved') {
      throw new CmdletError(hvError(c.cmdlet, 'InvalidState', 'InvalidOperation', `The virtual machine '${vm.name}' must be turned off before it can be removed.`));
    }
    await opContext(c).sleep(DURATIONS.small);
    stopGuest(vm);
    c.host.vms.delete(vm.id);
    // Hyper-V deletes the configuration (and saved state), not disks, ISOs or folders.
    const store = fileStoreFor(c.host, vm.configurationPath);
    store.delete(vmcxPath(vm.configurationPath, vm.id));
  }
  return [];
}

const getVmHost: CmdletImpl = (c) => [vmHostObject(c.host)];

/** Shutdown, heartbeat, KVP… with the shutdown service's real id suffix; 'Ok' only once the guest answers. */
const INTEGRATION_SERVICES: [string, string][] = [
  ['Guest Service Interface', '6C09BB55-D683-4DA0-8931-C9BF705F6480'],
  ['Heartbeat', '84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47'],
  ['Key-Value Pair Exchange', '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'],
  ['Shutdown', '9F8233AC-BE49-4C79-8EE3-E7E1985B2077'],
  ['Time Synchronization', '2497F4DE-E9FA-4204-80E4-4B75C46419C0'],
  ['VSS', '5CED1297-4598-4915-A5FC-AD21BB4D02A4'],
];

const getVmIntegrationService: CmdletImpl = (c) => targetVms(c).flatMap((vm) => INTEGRATION_SERVICES.map(([name, id]) => psObject(`${HV}.VMIntegrationComponent`, null, {
  Name: name,
  Id: `Microsoft:${vm.id.toUpperCase()}\\${id}`,
  Enabled: name !== 'Guest Service Interface',
  PrimaryOperationalStatus: enumValue(`${HV}.VMOperationalStatus`, guestReady(vm) ? 'Ok' : 'NoContact'),
  PrimaryStatusDescription: guestReady(vm) ? 'OK' : 'No Contact',
  VMId: guid(vm.id),
  VMName: vm.name,
})));

const getVmScsiController: CmdletImpl = (c) => {
  const vm = oneVm(c);
  return vm.generation === 2 ? [psObject(`${HV}.VMScsiController`, `scsi:${vm.id}:0`, { ControllerNumber: int(0), Name: 'SCSI Controller', VMId: guid(vm.id), VMName: vm.name })] : [];
};

export const VM_CMDLETS: Record<string, CmdletImpl> = {
  'Get-VM': getVm,
  'New-VM': newVm,
  'Set-VM': setVm,
  'Rename-VM': renameVm,
  'Remove-VM': removeVm,
  'Get-VMHost': getVmHost,
  'Set-VMProcessor': setVmProcessor,
  'Set-VMMemory': setVmMemory,
  'Set-VMFirmware': setVmFirmware,
  'Get-VMIntegrationService': getVmIntegrationService,
  'Get-VMScsiController': getVmScsiController,
};
