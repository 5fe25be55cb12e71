/** Projections of the model into the JSON shapes of Schemas/agent/common.json. */
import { fileStoreFor, freeMemoryBytes, assignedBytes, type DiskModel, type HostModel, type NicModel, type VmModel } from './model.ts';
import { normalize } from './files.ts';

export const IDE_CONTROLLER_ID = '83F8638B-8DCA-4152-9EDA-2CA8B33039B4';

export function diskId(vm: VmModel, d: DiskModel): string {
  const ctrl = d.controllerType === 'SCSI' ? vm.scsiControllerId.toUpperCase() : IDE_CONTROLLER_ID;
  return `Microsoft:${vm.id.toUpperCase()}\\${ctrl}\\${d.controllerNumber}\\${d.controllerLocation}\\D`;
}

export function nicId(vm: VmModel, n: NicModel): string {
  return `Microsoft:${vm.id.toUpperCase()}\\${n.adapterId.toUpperCase()}`;
}

export function diskView(host: HostModel, vm: VmModel, d: DiskModel): Record<string, unknown> {
  const f = fileStoreFor(host, d.path).get(d.path);
  const vhd = f?.kind === 'vhdx' ? f : undefined;
  return {
    diskId: diskId(vm, d),
    path: d.path,
    sizeBytes: vhd?.sizeBytes ?? 0,
    fileSizeBytes: vhd?.fileSizeBytes ?? 0,
    type: vhd?.type ?? 'Dynamic',
    parentPath: vhd?.parentPath ?? null,
    controllerType: d.controllerType,
    controllerNumber: d.controllerNumber,
    controllerLocation: d.controllerLocation,
  };
}

export function nicView(vm: VmModel, n: NicModel): Record<string, unknown> {
  const running = vm.state === 'Running' || vm.state === 'Paused';
  return {
    nicId: nicId(vm, n),
    name: n.name,
    macAddress: n.macAddress,
    dynamicMac: n.dynamicMac,
    switchName: n.switchName,
    vlanId: n.vlanId,
    ipAddresses: running ? [...n.ipAddresses] : [],
  };
}

export function vmView(host: HostModel, vm: VmModel, now = Date.now()): Record<string, unknown> {
  const nics = vm.nics.map((n) => nicView(vm, n));
  const up = vm.startedAt !== null && (vm.state === 'Running' || vm.state === 'Paused' || vm.state === 'Stopping' || vm.state === 'Saving' || vm.state === 'Pausing' || vm.state === 'Resuming');
  return {
    vmId: vm.id,
    name: vm.name,
    state: vm.state,
    cpuCount: vm.cpuCount,
    memory: { startupBytes: vm.memory.startupBytes, assignedBytes: assignedBytes(vm), dynamic: vm.memory.dynamic, minimumBytes: vm.memory.minimumBytes, maximumBytes: vm.memory.maximumBytes },
    generation: vm.generation,
    configurationVersion: vm.configurationVersion,
    configurationPath: vm.configurationPath,
    // The OSName intrinsic KVP item exists only while the guest's integration services answer.
    osName: (vm.state === 'Running' || vm.state === 'Paused') && vm.guestReadyAt !== null && vm.guestReadyAt <= now ? vm.osName : null,
    uptimeSeconds: up && vm.startedAt !== null ? Math.max(0, Math.floor((now - vm.startedAt) / 1000)) : 0,
    notes: vm.notes,
    creationTime: new Date(vm.creationTime).toISOString(),
    ipAddresses: [...new Set(nics.flatMap((n) => n.ipAddresses as string[]))],
    disks: vm.disks.map((d) => diskView(host, vm, d)),
    nics,
    clustered: vm.clustered,
    isoPath: vm.dvd?.path ?? null,
  };
}

export interface HostFacts { osName: string; osVersion: string; psVersion: string; hypervVersion: string }

export const WINDOWS_SERVER_2022: HostFacts = {
  osName: 'Microsoft Windows Server 2022 Datacenter',
  osVersion: '10.0.20348',
  psVersion: '5.1.20348.2849',
  hypervVersion: '10.0.20348.1',
};

function ordinalUpper(a: string, b: string): number {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function hostView(host: HostModel, installDirectory: string): Record<string, unknown> {
  const install = host.installs.get(normalize(installDirectory));
  const images = host.local.list(host.imagesPath).concat(host.cluster ? host.cluster.shared.list(host.imagesPath) : []);
  const seen = new Set<string>();
  return {
    name: host.name,
    fqdn: `${host.name}.${host.domain}`,
    cluster: host.cluster?.name ?? null,
    cpuCores: host.cpuCores,
    logicalProcessors: host.logicalProcessors,
    memoryTotalBytes: host.memoryTotalBytes,
    memoryFreeBytes: freeMemoryBytes(host),
    switches: host.switches.map((s) => ({ name: s.name, id: s.id, type: s.type, managementVlanId: s.managementVlanId, allowedVlanIds: [] })),
    // As the agent lists them: Hyper-V's default folders (Get-VMHost) first, then the Cluster Shared Volumes.
    storagePaths: host.storagePaths.map((p) => {
      const shared = host.cluster !== null && (normalize(p) + '\\').startsWith(normalize(host.cluster.sharedStoragePath) + '\\');
      return { path: p, totalBytes: shared ? 4 * 1024 ** 4 : 2 * 1024 ** 4, freeBytes: shared ? 3 * 1024 ** 4 : 1536 * 1024 ** 3, shared };
    }).sort((a, b) => Number(a.shared) - Number(b.shared)),
    // NTFS lists a folder in name order (upper-case ordinal), and so does the agent's Get-ChildItem.
    images: [...images].sort((a, b) => ordinalUpper(a.path, b.path)).flatMap((f) => {
      if (f.kind !== 'vhdx' || !f.os || seen.has(normalize(f.path))) return [];
      seen.add(normalize(f.path));
      const base = f.path.slice(f.path.lastIndexOf('\\') + 1).replace(/\.vhdx?$/i, '');
      return [{ name: base, path: f.path, osFamily: f.os.family, generation: f.os.generation, sizeBytes: f.sizeBytes, fileSizeBytes: f.fileSizeBytes }];
    }),
    // As the agent lists them: Windows*.iso and Linux*.iso at the top of the install directory.
    provisioningIsos: (install?.files ?? []).filter((f) => /^(windows|linux)[^/]*\.iso$/i.test(f.name)).sort((a, b) => ordinalUpper(a.name, b.name)).map((f) => ({
      name: f.name.slice(f.name.lastIndexOf('/') + 1),
      path: `${installDirectory.replace(/\\+$/, '')}\\${f.name.replace(/\//g, '\\')}`,
      osFamily: /^linux/i.test(f.name) ? 'linux' : 'windows',
    })),
    installDirectory,
    agentVersion: install?.version ?? 'unknown',
    ...WINDOWS_SERVER_2022,
    time: new Date().toISOString(),
  };
}
