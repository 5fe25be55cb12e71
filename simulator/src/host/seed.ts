/**
 * Builds a fleet's initial Hyper-V model from a seed: hosts, failover clusters, switches, storage,
 * golden images and VMs in realistic states. Same seed, same estate.
 */
import { FileStore, joinPath } from './files.ts';
import { GIB, MIB, MemoryKvp, fileStoreFor, freeMemoryBytes, type ClusterModel, type HostModel, type OsFamily, type VmModel, type VmState } from './model.ts';
import type { Rng } from './rng.ts';

export const DOMAIN = 'lab.test';
export const SWITCH_NAMES = ['External', 'Internal'] as const;
/** Hyper-V's default VM and VHD folder (Get-VMHost) on every simulated host. */
export const LOCAL_VM_PATH = 'C:\\Hyper-V';
/** Golden images live in a `Golden Images` folder at the root of a storage path (the agent's convention). */
export const LOCAL_IMAGES_PATH = 'C:\\Hyper-V\\Golden Images';
export const CSV_PATH = 'C:\\ClusterStorage\\Volume1';

export interface GoldenImage { name: string; family: OsFamily; osName: string; generation: 1 | 2; sizeBytes: number; fileSizeBytes: number }

/** The same names on every host. */
export const GOLDEN_IMAGES: readonly GoldenImage[] = [
  { name: 'Windows-Server-2022', family: 'windows', osName: 'Windows Server 2022 Datacenter', generation: 2, sizeBytes: 127 * GIB, fileSizeBytes: 13 * GIB + 512 * MIB },
  { name: 'Ubuntu-24.04', family: 'linux', osName: 'Ubuntu 24.04.1 LTS', generation: 2, sizeBytes: 30 * GIB, fileSizeBytes: 3 * GIB + 256 * MIB },
  { name: 'Debian-12', family: 'linux', osName: 'Debian GNU/Linux 12 (bookworm)', generation: 2, sizeBytes: 20 * GIB, fileSizeBytes: 2 * GIB + 128 * MIB },
];

const ROLES = ['web', 'app', 'db', 'cache', 'build', 'mq', 'api', 'files'];

export function hostName(index: number, total: number): string {
  return `HV${String(index + 1).padStart(Math.max(2, String(total).length), '0')}`;
}

export function clusterName(index: number): string {
  return `CLU${String(index + 1).padStart(2, '0')}`;
}

export function createHost(rng: Rng, name: string, cluster: ClusterModel | null): HostModel {
  const memoryTotalBytes = rng.pick([256, 384, 512, 768]) * GIB;
  const cpuCores = rng.pick([16, 24, 32, 48, 64]);
  const host: HostModel = {
    name,
    domain: DOMAIN,
    cluster,
    cpuCores,
    logicalProcessors: cpuCores * 2,
    memoryTotalBytes,
    memoryReservedBytes: 6 * GIB,
    switches: [
      { name: 'External', id: rng.guid(), type: 'External', managementVlanId: null },
      { name: 'Internal', id: rng.guid(), type: 'Internal', managementVlanId: null },
    ],
    storagePaths: cluster ? [cluster.sharedStoragePath, LOCAL_VM_PATH] : [LOCAL_VM_PATH],
    imagesPath: cluster ? joinPath(cluster.sharedStoragePath, 'Golden Images') : LOCAL_IMAGES_PATH,
    local: new FileStore(),
    vms: new Map(),
    installs: new Map(),
    staging: new Map(),
  };
  host.local.mkdirp(LOCAL_VM_PATH);
  if (!cluster) placeImages(host.local, LOCAL_IMAGES_PATH);
  return host;
}

export function createCluster(name: string): ClusterModel {
  const cluster: ClusterModel = { name, nodes: [], sharedStoragePath: CSV_PATH, shared: new FileStore() };
  cluster.shared.mkdirp(CSV_PATH);
  placeImages(cluster.shared, joinPath(CSV_PATH, 'Golden Images'));
  return cluster;
}

function placeImages(store: FileStore, folder: string): void {
  for (const img of GOLDEN_IMAGES) {
    store.put({ kind: 'vhdx', path: joinPath(folder, `${img.name}.vhdx`), sizeBytes: img.sizeBytes, fileSizeBytes: img.fileSizeBytes, type: 'Dynamic', parentPath: null, os: { family: img.family, name: img.osName, generation: img.generation } });
  }
}

export function newVmModel(rng: Rng, fields: Pick<VmModel, 'name' | 'generation' | 'cpuCount' | 'memory' | 'configurationPath' | 'notes' | 'creationTime' | 'secureBootTemplate'>): VmModel {
  return {
    id: rng.guid(),
    state: 'Off',
    configurationVersion: '10.0',
    startedAt: null,
    guestReadyAt: null,
    osName: null,
    guestHostname: null,
    disks: [],
    nics: [],
    dvd: null,
    scsiControllerId: rng.guid(),
    clustered: false,
    kvp: new MemoryKvp(),
    busy: false,
    guest: null,
    ...fields,
  };
}

/** Populates `host` with `count` VMs, numbered from `firstIndex` so names are unique in the fleet. */
export function seedVms(rng: Rng, host: HostModel, hostIndex: number, count: number, firstIndex: number, now: number): void {
  for (let i = 0; i < count; i++) {
    const img = rng.pick(GOLDEN_IMAGES);
    const name = `${rng.pick(ROLES)}-${String(firstIndex + i + 1).padStart(4, '0')}`;
    const onShared = host.cluster !== null && rng.next() < 0.7;
    const base = onShared && host.cluster ? host.cluster.sharedStoragePath : LOCAL_VM_PATH;
    const folder = joinPath(base, name);
    const startupBytes = rng.pick([2, 4, 4, 8, 8, 16]) * GIB;
    const dynamic = rng.next() < 0.4;
    const vm = newVmModel(rng, {
      name,
      generation: img.generation,
      cpuCount: rng.pick([1, 2, 2, 4, 4, 8]),
      memory: { startupBytes, dynamic, minimumBytes: dynamic ? 512 * MIB : startupBytes, maximumBytes: dynamic ? startupBytes * 4 : startupBytes },
      configurationPath: folder,
      notes: rng.next() < 0.3 ? `Owner: team-${rng.pick(['blue', 'green', 'red'])}` : '',
      creationTime: now - rng.int(1, 900) * 86_400_000 - rng.int(0, 86_399) * 1000,
      secureBootTemplate: img.family === 'windows' ? 'MicrosoftWindows' : 'MicrosoftUEFICertificateAuthority',
    });
    const diskPath = joinPath(folder, `${name}.vhdx`);
    const store = fileStoreFor(host, diskPath);
    store.put({ kind: 'vhdx', path: diskPath, sizeBytes: img.sizeBytes, fileSizeBytes: img.fileSizeBytes + rng.int(0, 40) * GIB, type: 'Dynamic', parentPath: null, os: { family: img.family, name: img.osName, generation: img.generation } });
    // Generation 1 boots from IDE only (and has no SCSI controller unless one is added).
    vm.disks.push({ path: diskPath, controllerType: img.generation === 2 ? 'SCSI' : 'IDE', controllerNumber: 0, controllerLocation: 0 });
    const vlan = rng.pick([null, 100, 200]);
    const ip = `10.${(hostIndex >> 8) & 255}.${hostIndex & 255}.${10 + i}`;
    vm.nics.push({ adapterId: rng.guid(), name: 'Network Adapter', macAddress: rng.mac(), dynamicMac: true, switchName: 'External', vlanId: vlan, ipAddresses: [ip] });
    vm.clustered = onShared;
    const roll = rng.next();
    const wanted: VmState = roll < 0.7 ? 'Running' : roll < 0.9 ? 'Off' : roll < 0.95 ? 'Saved' : 'Paused';
    host.vms.set(vm.id, vm);
    if ((wanted === 'Running' || wanted === 'Paused') && freeMemoryBytes(host) < startupBytes) continue;
    vm.state = wanted;
    if (wanted === 'Running' || wanted === 'Paused') {
      vm.startedAt = now - rng.int(60, 60 * 86_400) * 1000;
      vm.guestReadyAt = vm.startedAt;
      vm.osName = img.osName;
      vm.guestHostname = name;
    }
  }
}
