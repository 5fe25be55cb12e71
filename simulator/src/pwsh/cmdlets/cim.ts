/**
 * Get-CimInstance / Get-CimAssociatedInstance / Invoke-CimMethod for the classes the agent reads:
 * Win32_ComputerSystem, Win32_OperatingSystem, Win32_Processor, Win32_Volume (root\cimv2) and the
 * KVP side of root\virtualization\v2 (Msvm_ComputerSystem, Msvm_VirtualSystemManagementService,
 * Msvm_KvpExchangeComponent, Msvm_VirtualSystemSettingData, Msvm_KvpExchangeComponentSettingData;
 * AddKvpItems, ModifyKvpItems, RemoveKvpItems with Hyper-V's size limits).
 * CimInstance cannot be built on Linux (libmi), so instances are objects with CimInstance's type names.
 */
import { findVm, freeMemoryBytes, type HostModel, type VmModel } from '../../host/model.ts';
import { kvpItemProblem } from '../../host/kvp-limits.ts';
import { CSV_PATH } from '../../host/seed.ts';
import { WINDOWS_SERVER_2022 } from '../../host/views.ts';
import { CmdletError, refOf, strings, uint16, uint32, uint64, psObject, type Wire } from '../wire.ts';
import type { CmdletContext, CmdletImpl } from './context.ts';

const TIB = 1024 ** 4;

function cim(ns: string, cls: string, ref: string | null, props: Record<string, Wire>): Wire {
  return psObject([`Microsoft.Management.Infrastructure.CimInstance#${ns}/${cls}`, 'Microsoft.Management.Infrastructure.CimInstance'], ref, { ...props, CimClass: `${ns}:${cls}` });
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One Msvm_KvpExchangeDataItem as the CIM-XML text WMI hands out (what ConvertFrom-AgentKvpItemXml parses). */
export function kvpItemXml(name: string, data: string, source: number): string {
  return `<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem"><PROPERTY NAME="Caption" PROPAGATED="true" TYPE="string"></PROPERTY><PROPERTY NAME="Data" TYPE="string"><VALUE>${escapeXml(data)}</VALUE></PROPERTY><PROPERTY NAME="Name" TYPE="string"><VALUE>${escapeXml(name)}</VALUE></PROPERTY><PROPERTY NAME="Source" TYPE="uint16"><VALUE>${source}</VALUE></PROPERTY></INSTANCE>`;
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&amp;/g, '&');
}

export function parseKvpItemXml(xml: string): { name: string; data: string } | null {
  const prop = (n: string): string | null => {
    const m = new RegExp(`<PROPERTY NAME="${n}"[^>]*>\\s*(?:<VALUE>([\\s\\S]*?)</VALUE>)?\\s*</PROPERTY>`, 'i').exec(xml);
    return m ? unescapeXml(m[1] ?? '') : null;
  };
  const name = prop('Name');
  return name === null ? null : { name, data: prop('Data') ?? '' };
}

function win32(host: HostModel, cls: string): Wire[] {
  const ns = 'root/cimv2';
  switch (cls.toLowerCase()) {
    case 'win32_computersystem':
      return [cim(ns, 'Win32_ComputerSystem', null, { Name: host.name, DNSHostName: host.name, Domain: host.domain, PartOfDomain: true, TotalPhysicalMemory: uint64(host.memoryTotalBytes), NumberOfLogicalProcessors: uint32(host.logicalProcessors), Manufacturer: 'Microsoft Corporation', Model: 'Virtual Machine' })];
    case 'win32_operatingsystem':
      return [cim(ns, 'Win32_OperatingSystem', null, { Caption: WINDOWS_SERVER_2022.osName, Version: WINDOWS_SERVER_2022.osVersion, BuildNumber: '20348', FreePhysicalMemory: uint64(Math.floor(freeMemoryBytes(host) / 1024)), TotalVisibleMemorySize: uint64(Math.floor(host.memoryTotalBytes / 1024)), CSName: host.name })];
    case 'win32_processor': {
      // Two sockets, as the seeded hosts' core counts are even.
      const sockets = 2;
      return Array.from({ length: sockets }, (_, i) => cim(ns, 'Win32_Processor', null, { DeviceID: `CPU${i}`, Name: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', NumberOfCores: uint32(host.cpuCores / sockets), NumberOfLogicalProcessors: uint32(host.logicalProcessors / sockets) }));
    }
    case 'win32_volume': {
      const volumes = [cim(ns, 'Win32_Volume', null, { Name: 'C:\\', DriveLetter: 'C:', Label: '', FileSystem: 'NTFS', Capacity: uint64(2 * TIB), FreeSpace: uint64(1.5 * TIB) })];
      if (host.cluster) volumes.push(cim(ns, 'Win32_Volume', null, { Name: `${CSV_PATH}\\`, DriveLetter: null, Label: 'Volume1', FileSystem: 'CSVFS', Capacity: uint64(4 * TIB), FreeSpace: uint64(3 * TIB) }));
      return volumes;
    }
  }
  return [];
}

const V2 = 'root/virtualization/v2';

function computerSystem(vm: VmModel): Wire {
  return cim(V2, 'Msvm_ComputerSystem', `msvm-cs:${vm.id}`, { Name: vm.id.toUpperCase(), ElementName: vm.name, CreationClassName: 'Msvm_ComputerSystem', EnabledState: uint16(vm.state === 'Off' ? 3 : 2) });
}

function kvpComponent(vm: VmModel): Wire {
  const running = vm.state === 'Running';
  const guest = running ? [...vm.kvp.guestItems()].map(([k, v]) => kvpItemXml(k, v, 2)) : [];
  // As the model's VM view: the intrinsic items stay readable while the VM is paused (guestReady needs Running).
  const answered = (running || vm.state === 'Paused') && vm.guestReadyAt !== null && vm.guestReadyAt <= Date.now();
  const intrinsic = answered && vm.osName !== null ? [kvpItemXml('OSName', vm.osName, 2), kvpItemXml('FullyQualifiedDomainName', vm.guestHostname ?? vm.name, 2)] : [];
  return cim(V2, 'Msvm_KvpExchangeComponent', `msvm-kvp:${vm.id}`, { SystemName: vm.id.toUpperCase(), Name: `Microsoft:${vm.id.toUpperCase()}\\KVP`, GuestExchangeItems: strings(guest), GuestIntrinsicExchangeItems: strings(intrinsic) });
}

function kvpSettings(vm: VmModel): Wire {
  return cim(V2, 'Msvm_KvpExchangeComponentSettingData', `msvm-kvpsd:${vm.id}`, { InstanceID: `Microsoft:${vm.id.toUpperCase()}\\KVP`, HostExchangeItems: strings([...vm.kvp.hostItems()].map(([k, v]) => kvpItemXml(k, v, 0))) });
}

function systemSettings(vm: VmModel): Wire {
  return cim(V2, 'Msvm_VirtualSystemSettingData', `msvm-vssd:${vm.id}`, { InstanceID: `Microsoft:${vm.id.toUpperCase()}`, ElementName: vm.name, VirtualSystemType: 'Microsoft:Hyper-V:System:Realized', Notes: strings([vm.notes]) });
}

/** WQL as the agent writes it: `Prop = 'value'` conditions joined by AND (values are parsed GUIDs). */
function matches(filter: string | undefined, props: Record<string, unknown>): boolean {
  if (!filter) return true;
  return filter.split(/\s+AND\s+/i).every((cond) => {
    const m = /^\s*(\w+)\s*=\s*'([^']*)'\s*$/.exec(cond);
    if (!m) return false;
    const v = props[m[1]!];
    return typeof v === 'string' && v.toLowerCase() === m[2]!.toLowerCase();
  });
}

function msvm(host: HostModel, cls: string, filter: string | undefined): Wire[] {
  const vms = [...host.vms.values()];
  const pick = (make: (vm: VmModel) => Wire): Wire[] => vms.map(make).filter((w) => matches(filter, w as Record<string, unknown>));
  switch (cls.toLowerCase()) {
    case 'msvm_computersystem': return pick(computerSystem);
    case 'msvm_kvpexchangecomponent': return pick(kvpComponent);
    case 'msvm_kvpexchangecomponentsettingdata': return pick(kvpSettings);
    case 'msvm_virtualsystemsettingdata': return pick(systemSettings);
    case 'msvm_virtualsystemmanagementservice':
      return [cim(V2, 'Msvm_VirtualSystemManagementService', 'msvm-vsms', { Name: 'vmms', ElementName: 'Virtual Machine Management Service', SystemName: host.name })].filter((w) => matches(filter, w as Record<string, unknown>));
  }
  throw new CmdletError({ message: 'Invalid class ', category: 'MetadataError', fqid: 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', exception: 'CimException' });
}

function namespaceOf(c: CmdletContext): string {
  return String(c.params.Namespace ?? 'root/cimv2').replace(/\\/g, '/').toLowerCase();
}

const getCimInstance: CmdletImpl = (c) => {
  let cls = c.params.ClassName as string | undefined;
  let filter = c.params.Filter as string | undefined;
  if (c.params.Query !== undefined) {
    const m = /^\s*SELECT\s+\*\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+))?$/i.exec(String(c.params.Query));
    if (!m) throw new CmdletError({ message: 'Invalid query ', category: 'InvalidArgument', fqid: 'HRESULT 0x80041017,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', exception: 'CimException' });
    cls = m[1];
    filter = m[2];
  }
  const ns = namespaceOf(c);
  if (ns === 'root/virtualization/v2') return msvm(c.host, cls ?? '', filter);
  if (ns !== 'root/cimv2') throw new CmdletError({ message: 'Invalid namespace ', category: 'MetadataError', fqid: 'HRESULT 0x8004100e,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', exception: 'CimException' });
  return win32(c.host, cls ?? '').filter((w) => matches(filter, w as Record<string, unknown>));
};

/** A shim object's reference, or a WMI path (`…Msvm_ComputerSystem.CreationClassName="…",Name="<GUID>"`). */
function vmOfRef(c: CmdletContext, value: unknown): VmModel | undefined {
  if (typeof value === 'string') {
    const m = /Msvm_ComputerSystem\.[^"]*"[^"]*",Name="([0-9a-f-]{36})"/i.exec(value);
    return m ? findVm(c.host, m[1]!) : undefined;
  }
  const id = (refOf(value) ?? '').split(':')[1];
  return id ? findVm(c.host, id) : undefined;
}

const getAssociated: CmdletImpl = (c) => {
  const ref = refOf(c.params.InputObject) ?? '';
  const vm = vmOfRef(c, c.params.InputObject);
  if (!vm) return [];
  const want = String(c.params.ResultClassName ?? '').toLowerCase();
  if (ref.startsWith('msvm-cs:')) {
    if (want === '' || want === 'msvm_virtualsystemsettingdata') return [systemSettings(vm)];
    if (want === 'msvm_kvpexchangecomponent') return [kvpComponent(vm)];
  }
  if (ref.startsWith('msvm-vssd:') && (want === '' || want === 'msvm_kvpexchangecomponentsettingdata')) return [kvpSettings(vm)];
  return [];
};

/** AddKvpItems & co. finish synchronously here (ReturnValue 0); a refused item is 32773, invalid parameter. */
function kvpMethod(c: CmdletContext, method: string, args: Record<string, unknown>): Wire {
  const vm = vmOfRef(c, args.TargetSystem);
  const result = (code: number): Wire => psObject('Microsoft.Management.Infrastructure.CimMethodResult', null, { ReturnValue: uint32(code), Job: null });
  if (!vm) return result(32779);
  const items = (Array.isArray(args.DataItems) ? args.DataItems : [args.DataItems]).map((x) => parseKvpItemXml(String(x)));
  if (items.some((i) => i === null)) return result(32773);
  for (const item of items as { name: string; data: string }[]) {
    if (method !== 'removekvpitems' && kvpItemProblem(item.name, item.data) !== null) return result(32773);
    const exists = vm.kvp.hostItems().has(item.name);
    // Hyper-V: Add of an existing key and Modify/Remove of a missing one fail (32773 and 32779 by their docs).
    if (method === 'addkvpitems' && exists) return result(32773);
    if (method !== 'addkvpitems' && !exists) return result(32779);
  }
  for (const item of items as { name: string; data: string }[]) {
    if (method === 'removekvpitems') vm.kvp.removeHost(item.name);
    else vm.kvp.setHost(item.name, item.data);
  }
  vm.guest?.notify();
  return result(0);
}

async function invokeCimMethod(c: CmdletContext): Promise<Wire[]> {
  const method = String(c.params.MethodName).toLowerCase();
  const args = (c.params.Arguments ?? {}) as Record<string, unknown>;
  if (method === 'addkvpitems' || method === 'modifykvpitems' || method === 'removekvpitems') {
    const out = kvpMethod(c, method, args);
    const vm = vmOfRef(c, args.TargetSystem);
    await vm?.kvp.sync?.();
    return [out];
  }
  throw new CmdletError({ message: `Method '${String(c.params.MethodName)}' not found `, category: 'MetadataError', fqid: 'HRESULT 0x8004102e,Microsoft.Management.Infrastructure.CimCmdlets.InvokeCimMethodCommand', exception: 'CimException' });
}

export const CIM_CMDLETS: Record<string, CmdletImpl> = {
  'Get-CimInstance': async (c) => {
    if (namespaceOf(c) === 'root/virtualization/v2') for (const vm of c.host.vms.values()) await vm.kvp.sync?.();
    return getCimInstance(c);
  },
  'Get-CimAssociatedInstance': getAssociated,
  'Invoke-CimMethod': invokeCimMethod,
};
