/**
 * The Hyper-V model of one simulated host: plain data, kept small because a fleet holds
 * 1,000 hosts × 50 VMs in one process (no timers, no closures per idle VM).
 */
import type { FileStore } from './files.ts';
import type { GuestHandle } from '../guests/guest.ts';
import { assertKvpItemFits } from './kvp-limits.ts';

export type VmState = 'Running' | 'Off' | 'Saved' | 'Paused' | 'Starting' | 'Stopping' | 'Saving' | 'Pausing' | 'Resuming';
export type OsFamily = 'windows' | 'linux';

export interface DiskModel {
  /** GUID of the drive; the Hyper-V id is derived from VM id, controller and location. */
  path: string;
  controllerType: 'SCSI' | 'IDE';
  controllerNumber: number;
  controllerLocation: number;
}

export interface NicModel {
  adapterId: string;
  name: string;
  macAddress: string;
  dynamicMac: boolean;
  switchName: string | null;
  vlanId: number | null;
  ipAddresses: string[];
}

export interface MemoryModel {
  startupBytes: number;
  dynamic: boolean;
  minimumBytes: number;
  maximumBytes: number;
}

/** Host→guest (External pool) and guest→host items; a Linux guest agent may back them with pool files. */
export interface KvpStore {
  hostItems(): Map<string, string>;
  setHost(key: string, value: string): void;
  removeHost(key: string): boolean;
  guestItems(): Map<string, string>;
  setGuest(key: string, value: string): void;
  removeGuest(key: string): void;
  /** Stores backed by files (the real Linux agent's pools) flush host writes and re-read guest items here. */
  sync?(): Promise<void>;
}

export interface VmModel {
  id: string;
  name: string;
  state: VmState;
  generation: 1 | 2;
  cpuCount: number;
  memory: MemoryModel;
  configurationPath: string;
  configurationVersion: string;
  notes: string;
  creationTime: number;
  /** Simulated-clock ms when the VM last reached Running from Off/Saved (uptime origin). */
  startedAt: number | null;
  /** Simulated-clock ms when the guest OS answers integration services (shutdown, KVP). */
  guestReadyAt: number | null;
  osName: string | null;
  guestHostname: string | null;
  disks: DiskModel[];
  nics: NicModel[];
  dvd: { path: string | null; controllerNumber: number; controllerLocation: number } | null;
  scsiControllerId: string;
  clustered: boolean;
  secureBootTemplate: string;
  kvp: KvpStore;
  /** Set while a power transition runs, so concurrent power calls see the intermediate state. */
  busy: boolean;
  guest: GuestHandle | null;
}

export interface SwitchModel {
  name: string;
  id: string;
  type: 'External' | 'Internal' | 'Private';
  managementVlanId: number | null;
}

export interface InstalledFile { name: string; sha256: string; size: number }

export interface InstallModel {
  directory: string;
  version: string | null;
  files: InstalledFile[];
}

export interface ClusterModel {
  name: string;
  nodes: HostModel[];
  sharedStoragePath: string;
  shared: FileStore;
}

export interface HostModel {
  name: string;
  domain: string;
  cluster: ClusterModel | null;
  cpuCores: number;
  logicalProcessors: number;
  memoryTotalBytes: number;
  /** What the management OS keeps for itself (root reserve). */
  memoryReservedBytes: number;
  switches: SwitchModel[];
  storagePaths: string[];
  imagesPath: string;
  local: FileStore;
  vms: Map<string, VmModel>;
  /** Agent installs, keyed by lower-case install directory. A fresh host has none. */
  installs: Map<string, InstallModel>;
  /** Push-mode staging folders: key `<installDir>|<stagingId>` → file name → bytes. */
  staging: Map<string, Map<string, Buffer[]>>;
}

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export const RUNNING_LIKE: ReadonlySet<VmState> = new Set<VmState>(['Running', 'Paused', 'Starting', 'Stopping', 'Saving', 'Pausing', 'Resuming']);

export function assignedBytes(vm: VmModel): number {
  return RUNNING_LIKE.has(vm.state) ? vm.memory.startupBytes : 0;
}

export function freeMemoryBytes(host: HostModel): number {
  let used = host.memoryReservedBytes;
  for (const vm of host.vms.values()) used += assignedBytes(vm);
  return Math.max(0, host.memoryTotalBytes - used);
}

export function findVm(host: HostModel, vmId: string): VmModel | undefined {
  return host.vms.get(vmId.toLowerCase());
}

export function fileStoreFor(host: HostModel, path: string): FileStore {
  const c = host.cluster;
  if (c && path.toLowerCase().startsWith(c.sharedStoragePath.toLowerCase() + '\\')) return c.shared;
  return host.local;
}

const NO_ITEMS: ReadonlyMap<string, string> = new Map();

/** In-memory pools; the maps exist only once an item is written (most of 50,000 VMs never get one). */
export class MemoryKvp implements KvpStore {
  private host: Map<string, string> | undefined;
  private guest: Map<string, string> | undefined;
  hostItems(): Map<string, string> { return this.host ?? (NO_ITEMS as Map<string, string>); }
  setHost(key: string, value: string): void { assertKvpItemFits(key, value); (this.host ??= new Map()).set(key, value); }
  removeHost(key: string): boolean { return this.host?.delete(key) ?? false; }
  guestItems(): Map<string, string> { return this.guest ?? (NO_ITEMS as Map<string, string>); }
  setGuest(key: string, value: string): void { (this.guest ??= new Map()).set(key, value); }
  removeGuest(key: string): void { this.guest?.delete(key); }
}
