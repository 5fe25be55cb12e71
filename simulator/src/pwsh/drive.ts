/**
 * The `C:` drive of a host whose agent is the real PowerShell one: a real folder per host
 * (`<root>/hosts/<HOST>/C`), with `C:\ClusterStorage\Volume1` a symlink into a per-cluster folder
 * (`<root>/clusters/<CLUSTER>/Volume1`) shared by the nodes. The seeded model's files move there
 * (disks as descriptors, VM configuration files), agent installs are read back from it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { normalize } from '../host/files.ts';
import type { ClusterModel, HostModel, InstallModel, InstalledFile } from '../host/model.ts';
import { CSV_PATH } from '../host/seed.ts';
import { DiskFileStore } from './disk-store.ts';

export interface HostDrive {
  /** The folder that is this host's `C:\`. */
  readonly root: string;
  readonly local: DiskFileStore;
}

/** Where a VM's configuration file lives (New-VM writes it, Remove-VM deletes it). */
export function vmcxPath(configurationPath: string, vmId: string): string {
  return `${configurationPath.replace(/\\+$/, '')}\\Virtual Machines\\${vmId.toUpperCase()}.vmcx`;
}

/** The version of an installed provisioning ISO, by file name: what a copy next to a VM carries. */
function isoVersionFrom(hosts: () => HostModel[]): (name: string) => string | null {
  return (name) => {
    for (const h of hosts()) {
      for (const inst of h.installs.values()) {
        if (inst.files.some((f) => f.name.toLowerCase() === name.toLowerCase())) return inst.version;
      }
    }
    return null;
  };
}

export function writeVmcx(store: DiskFileStore, configurationPath: string, vmId: string, name: string): void {
  const file = store.local(vmcxPath(configurationPath, vmId));
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ id: vmId, name })}\n`);
}

/** Moves a freshly seeded host (and its cluster's shared storage, once) onto disk under `root`. */
export function materialise(host: HostModel, root: string, clusters: Map<ClusterModel, DiskFileStore>): HostDrive {
  const cRoot = join(root, 'hosts', host.name, 'C');
  for (const d of ['Hyper-V', 'Program Files', join('Windows', 'System32'), 'Windows/Temp']) mkdirSync(join(cRoot, d), { recursive: true });
  const local = new DiskFileStore('C:\\', cRoot, isoVersionFrom(() => [host]));
  for (const f of host.local.list('C:\\')) local.put(f);
  host.local = local;
  const cluster = host.cluster;
  if (cluster) {
    let shared = clusters.get(cluster);
    if (!shared) {
      shared = new DiskFileStore(CSV_PATH, join(root, 'clusters', cluster.name, 'Volume1'), isoVersionFrom(() => cluster.nodes));
      for (const f of cluster.shared.list(CSV_PATH)) shared.put(f);
      cluster.shared = shared;
      clusters.set(cluster, shared);
    }
    mkdirSync(join(cRoot, 'ClusterStorage'), { recursive: true });
    symlinkSync(shared.dir, join(cRoot, 'ClusterStorage', 'Volume1'), 'dir');
  }
  for (const vm of host.vms.values()) {
    const store = cluster && normalize(vm.configurationPath).startsWith(normalize(CSV_PATH) + '\\') ? cluster.shared as DiskFileStore : local;
    writeVmcx(store, vm.configurationPath, vm.id, vm.name);
  }
  return { root: cRoot, local };
}

/** Finds a manifest file in an artifacts/ folder (scripts under scripts/, ISOs under isos/, or flat). */
function artifactFile(dir: string, name: string): string {
  for (const candidate of [join(dir, ...name.split('/')), join(dir, 'scripts', ...name.split('/')), join(dir, 'isos', ...name.split('/'))]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`preinstall: ${name} is not in ${dir}`);
}

/** Installs an artifacts/ folder's files (real bytes) into the host's install directory, version last. */
export function preinstall(drive: HostDrive, directory: string, artifacts: string, version: string, files: InstalledFile[]): void {
  const target = drive.local.local(directory);
  for (const f of files) {
    const dest = join(target, ...f.name.split('/'));
    mkdirSync(join(dest, '..'), { recursive: true });
    copyFileSync(artifactFile(artifacts, f.name), dest);
  }
  writeFileSync(join(target, 'version'), version);
}

const hashes = new Map<string, { mtimeMs: number; size: number; sha256: string }>();

function sha256Of(path: string): { sha256: string; size: number } {
  const st = statSync(path);
  const cached = hashes.get(path);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached;
  const entry = { mtimeMs: st.mtimeMs, size: st.size, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
  hashes.set(path, entry);
  return entry;
}

/** What is installed in `directory` now, read from the disk (undefined: nothing there). */
export function readInstall(drive: HostDrive, directory: string): InstallModel | undefined {
  const dir = drive.local.local(directory);
  if (!existsSync(dir)) return undefined;
  const files: InstalledFile[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const full = join(d, n);
      if (statSync(full).isDirectory()) walk(full);
      else if (d !== dir || n !== 'version') {
        const { sha256, size } = sha256Of(full);
        files.push({ name: relative(dir, full).split(sep).join('/'), sha256, size });
      }
    }
  };
  walk(dir);
  let version: string | null;
  try {
    version = readFileSync(join(dir, 'version'), 'utf8').replace(/^\uFEFF/, '').trim() || null;
  } catch {
    version = null;
  }
  return { directory, version, files };
}

/** Re-reads the host's installs (the known directories plus `directory`) from its disk. */
export function refreshInstalls(host: HostModel, drive: HostDrive, directory: string): void {
  const dirs = new Set([...host.installs.values()].map((i) => i.directory).concat(directory));
  for (const d of dirs) {
    const inst = readInstall(drive, d);
    if (inst) host.installs.set(normalize(d), inst);
    else host.installs.delete(normalize(d));
  }
}
