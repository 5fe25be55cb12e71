/**
 * A FileStore backed by a real folder, for hosts whose agent is the real PowerShell one: the
 * model and the agent's own file operations (Copy-Item, FileStream copies, Remove-Item) then see
 * one truth. A `.vhdx` on disk is a small JSON descriptor holding what VhdxFile holds plus a disk
 * identifier, so a byte copy of a golden image is a valid disk with the same identifier (as on
 * Hyper-V, where two full copies of one image cannot both be attached until one gets
 * `Set-VHD -ResetDiskIdentifier`). A `.iso` is whatever bytes are there; its OS family comes
 * from its name, as the agent infers it.
 * Paths are Windows paths under `prefix` (e.g. `C:\` or `C:\ClusterStorage\Volume1`); the folder
 * on disk is case-sensitive, unlike NTFS (the agent only uses paths it was given or listed).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore, normalize, type IsoFile, type SimFile, type VhdxFile } from '../host/files.ts';

export const VHDX_FORMAT = 'aetherv-sim-vhdx/1';

interface Descriptor {
  format: string;
  sizeBytes: number;
  fileSizeBytes: number;
  type: VhdxFile['type'];
  parentPath: string | null;
  os: VhdxFile['os'];
  diskIdentifier: string;
}

export function vhdxDescriptor(file: VhdxFile): string {
  const d: Descriptor = {
    format: VHDX_FORMAT,
    sizeBytes: file.sizeBytes,
    fileSizeBytes: file.fileSizeBytes,
    type: file.type,
    parentPath: file.parentPath,
    os: file.os,
    diskIdentifier: file.diskIdentifier ?? randomUUID().toUpperCase(),
  };
  return `${JSON.stringify(d, null, 1)}\n`;
}

export function parseVhdx(path: string, bytes: Buffer): VhdxFile | undefined {
  try {
    const d = JSON.parse(bytes.toString('utf8')) as Descriptor;
    if (d.format !== VHDX_FORMAT) return undefined;
    return { kind: 'vhdx', path, sizeBytes: d.sizeBytes, fileSizeBytes: d.fileSizeBytes, type: d.type, parentPath: d.parentPath, os: d.os, diskIdentifier: d.diskIdentifier };
  } catch {
    return undefined;
  }
}

export function isoFamily(path: string): IsoFile['osFamily'] {
  const name = path.slice(path.lastIndexOf('\\') + 1);
  return /^linux/i.test(name) ? 'linux' : /^windows/i.test(name) ? 'windows' : null;
}

export class DiskFileStore extends FileStore {
  private readonly prefixKey: string;

  /** `isoVersion` tells the version of a provisioning ISO by its file name (from the installs). */
  constructor(readonly prefix: string, readonly dir: string, private readonly isoVersion: (name: string) => string | null = () => null) {
    super();
    this.prefixKey = normalize(prefix);
    mkdirSync(dir, { recursive: true });
  }

  /** The folder on disk for a Windows path under the prefix. */
  local(path: string): string {
    const key = normalize(path);
    if (key !== this.prefixKey && !key.startsWith(this.prefixKey + '\\')) throw new Error(`${path} is not under ${this.prefix}`);
    const rest = path.replace(/\//g, '\\').replace(/\\+$/, '').slice(this.prefixKey.length).split('\\').filter((s) => s !== '');
    return join(this.dir, ...rest);
  }

  private windows(rel: string[]): string {
    return [this.prefix.replace(/[\\/]+$/, ''), ...rel].join('\\');
  }

  override get(path: string): SimFile | undefined {
    const p = this.local(path);
    let bytes: Buffer;
    try {
      if (!statSync(p).isFile()) return undefined;
      if (/\.a?vhdx?$/i.test(p)) bytes = readFileSync(p);
      else return /\.iso$/i.test(p) ? { kind: 'iso', path: path.replace(/\//g, '\\'), osFamily: isoFamily(path.replace(/\//g, '\\')), version: this.isoVersion(p.slice(p.lastIndexOf('/') + 1)), diskPath: p } : undefined;
    } catch {
      return undefined;
    }
    return parseVhdx(path.replace(/\//g, '\\'), bytes);
  }

  override put(file: SimFile): void {
    const p = this.local(file.path);
    mkdirSync(join(p, '..'), { recursive: true });
    if (file.kind === 'vhdx') writeFileSync(p, vhdxDescriptor(file));
    else if (!existsSync(p)) writeFileSync(p, '');
  }

  override delete(path: string): boolean {
    try {
      unlinkSync(this.local(path));
      return true;
    } catch {
      return false;
    }
  }

  override exists(path: string): boolean {
    return existsSync(this.local(path));
  }

  override isDir(path: string): boolean {
    try {
      return statSync(this.local(path)).isDirectory();
    } catch {
      return false;
    }
  }

  override mkdirp(path: string): void {
    mkdirSync(this.local(path), { recursive: true });
  }

  override removeTree(path: string): string[] {
    const removed = this.list(path).map((f) => f.path);
    rmSync(this.local(path), { recursive: true, force: true });
    return removed;
  }

  override list(folder: string): SimFile[] {
    const out: SimFile[] = [];
    const base = normalize(folder) === this.prefixKey ? [] : folder.replace(/\//g, '\\').replace(/\\+$/, '').slice(this.prefixKey.length).split('\\').filter((s) => s !== '');
    const walk = (rel: string[]): void => {
      let names: string[];
      try {
        names = readdirSync(join(this.dir, ...rel));
      } catch {
        return;
      }
      for (const n of names) {
        const next = [...rel, n];
        const full = join(this.dir, ...next);
        let isDir: boolean;
        try { isDir = statSync(full).isDirectory(); } catch { continue; }
        if (isDir) walk(next);
        else {
          const f = this.get(this.windows(next));
          if (f) out.push(f);
        }
      }
    };
    walk(base);
    return out;
  }

  override clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }
}
