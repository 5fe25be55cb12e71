/**
 * A simulated NTFS volume set: the files Hyper-V cares about (VHDX, ISO) and folders, keyed
 * case-insensitively as Windows does. Cluster Shared Volumes are one FileStore shared by every node.
 */
import type { OsFamily } from './model.ts';

export interface VhdxFile {
  kind: 'vhdx';
  path: string;
  sizeBytes: number;
  fileSizeBytes: number;
  type: 'Fixed' | 'Dynamic' | 'Differencing';
  parentPath: string | null;
  /** Set on golden images and inherited by copies/children: what boots from this disk. */
  os: { family: OsFamily; name: string; generation: 1 | 2 } | null;
  /** Hyper-V's disk identifier: a byte copy keeps it; two attached disks must not share one. */
  diskIdentifier?: string;
}

export interface IsoFile {
  kind: 'iso';
  path: string;
  osFamily: OsFamily | null;
  /** Version of a provisioning ISO (from the install that placed it). */
  version: string | null;
  /** SHA-256 of the installed ISO this is a copy of: how a guest finds its real bytes (guests/iso-catalog.ts). */
  sha256?: string;
  /** The real file on disk (powershell agent mode), read for its unattend.xml at boot. */
  diskPath?: string;
}

export type SimFile = VhdxFile | IsoFile;

export class FileStore {
  private readonly files = new Map<string, SimFile>();
  private readonly dirs = new Set<string>();

  get(path: string): SimFile | undefined {
    return this.files.get(normalize(path));
  }

  put(file: SimFile): void {
    this.files.set(normalize(file.path), file);
    this.mkdirp(parentOf(file.path));
  }

  delete(path: string): boolean {
    return this.files.delete(normalize(path));
  }

  exists(path: string): boolean {
    const key = normalize(path);
    return this.files.has(key) || this.dirs.has(key);
  }

  isDir(path: string): boolean {
    return this.dirs.has(normalize(path));
  }

  mkdirp(path: string): void {
    let p = normalize(path);
    while (p.length > 2 && !this.dirs.has(p)) {
      this.dirs.add(p);
      p = normalize(parentOf(p));
    }
  }

  /** Removes a folder and everything below it; returns the files removed (original case). */
  removeTree(path: string): string[] {
    const key = normalize(path);
    const removed: string[] = [];
    for (const [k, f] of this.files) if (k.startsWith(key + '\\')) { removed.push(f.path); this.files.delete(k); }
    for (const d of this.dirs) if (d === key || d.startsWith(key + '\\')) this.dirs.delete(d);
    return removed;
  }

  /** Files directly in or below a folder. */
  list(folder: string): SimFile[] {
    const key = normalize(folder) + '\\';
    return [...this.files.entries()].filter(([k]) => k.startsWith(key)).map(([, f]) => f);
  }

  clear(): void {
    this.files.clear();
    this.dirs.clear();
  }
}

export function normalize(path: string): string {
  return path.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase();
}

export function parentOf(path: string): string {
  const i = path.replace(/\\+$/, '').lastIndexOf('\\');
  return i <= 2 ? path.slice(0, 3) : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('\\') + 1);
}

export function joinPath(...parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p.replace(/\\+$/, '') : p.replace(/^\\+|\\+$/g, ''))).join('\\');
}
