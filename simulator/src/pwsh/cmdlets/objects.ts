/**
 * The model as the Hyper-V module's output objects: type names, property names and .NET types
 * of Microsoft.HyperV.PowerShell.VirtualMachine, HardDiskDrive, DvdDrive, VMNetworkAdapter,
 * VMSwitch, VMHost and Microsoft.Vhd.PowerShell.VirtualHardDisk (the properties the agent and
 * an operator's script read, not every one the real classes have).
 */
import type { VhdxFile } from '../../host/files.ts';
import { assignedBytes, fileStoreFor, type DiskModel, type HostModel, type NicModel, type VmModel } from '../../host/model.ts';
import { guestReady } from '../../host/ops/power.ts';
import { diskId, IDE_CONTROLLER_ID, nicId } from '../../host/views.ts';
import { LOCAL_VM_PATH } from '../../host/seed.ts';
import { date, enumValue, guid, HV, int, long, psObject, timespan, uint64, VmState, type Wire } from '../wire.ts';

export function hddRef(vm: VmModel, d: DiskModel): string {
  return `hdd:${vm.id}:${d.controllerType}:${d.controllerNumber}:${d.controllerLocation}`;
}

export function hddObject(vm: VmModel, d: DiskModel): Wire {
  return psObject([`${HV}.HardDiskDrive`, `${HV}.Drive`, `${HV}.VirtualizationObject`], hddRef(vm, d), {
    Id: diskId(vm, d),
    Name: `Hard Drive on ${d.controllerType} controller number ${d.controllerNumber} at location ${d.controllerLocation}`,
    Path: d.path,
    ControllerType: enumValue(`${HV}.ControllerType`, d.controllerType),
    ControllerNumber: int(d.controllerNumber),
    ControllerLocation: int(d.controllerLocation),
    ControllerId: d.controllerType === 'SCSI' ? `Microsoft:${vm.id.toUpperCase()}\\${vm.scsiControllerId.toUpperCase()}` : `Microsoft:${vm.id.toUpperCase()}\\${IDE_CONTROLLER_ID}\\${d.controllerNumber}`,
    DiskNumber: null,
    VMId: guid(vm.id),
    VMName: vm.name,
    ComputerName: '',
  });
}

export function dvdObject(vm: VmModel): Wire[] {
  if (!vm.dvd) return [];
  const type = vm.generation === 2 ? 'SCSI' : 'IDE';
  return [psObject([`${HV}.DvdDrive`, `${HV}.Drive`, `${HV}.VirtualizationObject`], `dvd:${vm.id}`, {
    Id: `Microsoft:${vm.id.toUpperCase()}\\${type === 'SCSI' ? vm.scsiControllerId.toUpperCase() : IDE_CONTROLLER_ID}\\${vm.dvd.controllerNumber}\\${vm.dvd.controllerLocation}\\D`,
    Name: 'DVD Drive',
    Path: vm.dvd.path,
    DvdMediaType: vm.dvd.path === null ? 'None' : 'ISO',
    ControllerType: enumValue(`${HV}.ControllerType`, type),
    ControllerNumber: int(vm.dvd.controllerNumber),
    ControllerLocation: int(vm.dvd.controllerLocation),
    VMId: guid(vm.id),
    VMName: vm.name,
  })];
}

function vlanObject(vm: VmModel | null, n: { vlanId: number | null }, ref: string, adapterName: string): Wire {
  return psObject(`${HV}.VMNetworkAdapterVlanSetting`, ref, {
    OperationMode: enumValue(`${HV}.VMNetworkAdapterVlanMode`, n.vlanId === null ? 'Untagged' : 'Access'),
    AccessVlanId: int(n.vlanId ?? 0),
    NativeVlanId: int(0),
    AllowedVlanIdList: null,
    ParentAdapter: adapterName,
    VMName: vm?.name ?? '',
  });
}

export function nicObject(vm: VmModel, n: NicModel): Wire {
  const running = vm.state === 'Running' || vm.state === 'Paused';
  // Hyper-V reports guest addresses (and an fe80:: one) only while the guest's integration services answer.
  const ips = running && guestReady(vm) ? [...n.ipAddresses, 'fe80::215:5dff:fe00:1'] : running ? [...n.ipAddresses] : [];
  return psObject([`${HV}.VMNetworkAdapter`, `${HV}.VMNetworkAdapterBase`, `${HV}.VirtualizationObject`], `nic:${vm.id}:${n.adapterId}`, {
    Id: nicId(vm, n),
    Name: n.name,
    AdapterId: n.adapterId,
    MacAddress: n.macAddress.toUpperCase(),
    DynamicMacAddressEnabled: n.dynamicMac,
    SwitchName: n.switchName,
    Connected: n.switchName !== null,
    IPAddresses: ips,
    IsManagementOs: false,
    IsLegacy: false,
    Status: running ? ['Ok'] : [],
    VlanSetting: vlanObject(vm, n, `vlan:${vm.id}:${n.adapterId}`, n.name),
    VMId: guid(vm.id),
    VMName: vm.name,
  });
}

/** The management OS's adapters: one per External switch, untagged (the seeded hosts' layout). */
export function managementNicObjects(host: HostModel): Wire[] {
  return host.switches.filter((s) => s.type !== 'Private').map((s) => psObject([`${HV}.VMInternalNetworkAdapter`, `${HV}.VMNetworkAdapterBase`], `mgmt:${s.id}`, {
    Id: `Microsoft:${s.id.toUpperCase()}`,
    Name: s.name,
    SwitchName: s.name,
    IsManagementOs: true,
    MacAddress: '00155D000001',
    VlanSetting: vlanObject(null, { vlanId: s.managementVlanId }, `mgmtvlan:${s.id}`, s.name),
  }));
}

export function switchObject(host: HostModel, name: string): Wire {
  const s = host.switches.find((x) => x.name === name)!;
  return psObject([`${HV}.VMSwitch`, `${HV}.VirtualizationObject`], `switch:${s.id}`, {
    Name: s.name,
    Id: guid(s.id),
    SwitchType: enumValue(`${HV}.VMSwitchType`, s.type),
    AllowManagementOS: s.type !== 'Private',
    NetAdapterInterfaceDescription: s.type === 'External' ? 'Microsoft Hyper-V Network Adapter' : '',
    ComputerName: host.name,
  });
}

export function vmObject(host: HostModel, vm: VmModel, now = Date.now()): Wire {
  const up = vm.startedAt !== null && vm.state !== 'Off' && vm.state !== 'Saved' && vm.state !== 'Starting';
  return psObject([`${HV}.VirtualMachine`, `${HV}.VirtualMachineBase`, `${HV}.VirtualizationObject`], `vm:${vm.id}`, {
    Name: vm.name,
    VMName: vm.name,
    Id: guid(vm.id),
    VMId: guid(vm.id),
    State: VmState(vm.state),
    Status: vm.state === 'Running' ? 'Operating normally' : '',
    ProcessorCount: long(vm.cpuCount),
    MemoryStartup: long(vm.memory.startupBytes),
    MemoryAssigned: long(assignedBytes(vm)),
    MemoryMinimum: long(vm.memory.minimumBytes),
    MemoryMaximum: long(vm.memory.maximumBytes),
    DynamicMemoryEnabled: vm.memory.dynamic,
    Generation: int(vm.generation),
    Version: vm.configurationVersion,
    Path: vm.configurationPath,
    ConfigurationLocation: vm.configurationPath,
    Notes: vm.notes,
    Uptime: timespan(up && vm.startedAt !== null ? Math.max(0, Math.floor((now - vm.startedAt) / 1000) * 1000) : 0),
    CreationTime: date(vm.creationTime),
    IsClustered: vm.clustered,
    HardDrives: vm.disks.map((d) => hddObject(vm, d)),
    DVDDrives: dvdObject(vm),
    NetworkAdapters: vm.nics.map((n) => nicObject(vm, n)),
    ComputerName: host.name,
  });
}

export function vhdObject(host: HostModel, file: VhdxFile): Wire {
  const attached = (host.cluster && fileStoreFor(host, file.path) === host.cluster.shared ? host.cluster.nodes : [host])
    .some((h) => [...h.vms.values()].some((vm) => vm.disks.some((d) => d.path.toLowerCase() === file.path.toLowerCase())));
  return psObject('Microsoft.Vhd.PowerShell.VirtualHardDisk', `vhd:${file.path}`, {
    Path: file.path,
    ComputerName: host.name,
    VhdFormat: enumValue('Microsoft.Vhd.PowerShell.VhdFormat', /\.vhd$/i.test(file.path) ? 'VHD' : 'VHDX'),
    VhdType: enumValue('Microsoft.Vhd.PowerShell.VhdType', file.type),
    FileSize: uint64(file.fileSizeBytes),
    Size: uint64(file.sizeBytes),
    MinimumSize: uint64(Math.min(file.sizeBytes, 3 * 1024 ** 3)),
    LogicalSectorSize: int(512),
    PhysicalSectorSize: int(4096),
    BlockSize: int(33554432),
    ParentPath: file.parentPath,
    DiskIdentifier: file.diskIdentifier ?? '',
    FragmentationPercentage: int(0),
    Alignment: int(1),
    Attached: attached,
    DiskNumber: null,
  });
}

export function vmHostObject(host: HostModel): Wire {
  return psObject([`${HV}.VMHost`, `${HV}.VirtualizationObject`], `vmhost:${host.name}`, {
    Name: host.name,
    ComputerName: host.name,
    FullyQualifiedDomainName: `${host.name}.${host.domain}`,
    LogicalProcessorCount: int(host.logicalProcessors),
    MemoryCapacity: long(host.memoryTotalBytes),
    VirtualMachinePath: LOCAL_VM_PATH,
    VirtualHardDiskPath: LOCAL_VM_PATH,
    MacAddressMinimum: '00155D000000',
    MacAddressMaximum: '00155D00FFFF',
  });
}
