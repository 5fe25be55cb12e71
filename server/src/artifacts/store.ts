/**
 * Read access to a built `artifacts/` folder: the manifest, and each file it lists, checked
 * against its manifest entry before anyone serves or pushes it. Files are re-hashed only
 * when they change on disk (size, mtime or inode), so serving stays cheap. Used by the
 * `/agent/…` routes and by anything that pushes artifacts to hosts.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.ts';
import type { Manifest, ManifestFile } from './manifest.ts';
import { MANIFEST_FILE, artifactLocation, parseManifest, sha256Hex } from './manifest.ts';

export interface LoadedManifest {
  manifest: Manifest;
  /** The manifest file exactly as stored (served as-is). */
  bytes: Buffer;
  sha256: string;
}

export interface ArtifactFile extends ManifestFile {
  /** Absolute path of the verified file. */
  path: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.ps1': 'text/plain; charset=utf-8',
  '.psm1': 'text/plain; charset=utf-8',
  '.psd1': 'text/plain; charset=utf-8',
  '.iso': 'application/x-iso9660-image',
  '.json': 'application/json; charset=utf-8',
};

export function contentTypeFor(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 ? CONTENT_TYPES[name.slice(dot).toLowerCase()] : undefined) ?? 'application/octet-stream';
}

function fingerprint(info: { size: number; mtimeMs: number; ino: number }): string {
  return `${info.size}:${info.mtimeMs}:${info.ino}`;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class ArtifactStore {
  readonly artifactsPath: string;
  private loaded: { fingerprint: string; value: LoadedManifest } | undefined;
  private readonly verified = new Map<string, string>(); // path → fingerprint + digest that matched

  constructor(artifactsPath: string) {
    this.artifactsPath = artifactsPath;
  }

  /** The current manifest; ARTIFACTS_UNAVAILABLE when it is missing or invalid. */
  async manifest(): Promise<LoadedManifest> {
    const path = join(this.artifactsPath, MANIFEST_FILE);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new AppError('ARTIFACTS_UNAVAILABLE', 'artifacts are not built (no manifest.json); run npm run build:artifacts', { cause: error });
    }
    const key = fingerprint(info);
    if (this.loaded?.fingerprint !== key) {
      const bytes = await readFile(path).catch((error: unknown) => {
        throw new AppError('ARTIFACTS_UNAVAILABLE', 'cannot read manifest.json', { cause: error });
      });
      this.loaded = { fingerprint: key, value: { manifest: parseManifest(bytes.toString('utf8')), bytes, sha256: sha256Hex(bytes) } };
    }
    return this.loaded.value;
  }

  /**
   * The file the manifest lists under `name`, after checking its bytes still match the entry;
   * undefined when the manifest lists no such name. ARTIFACT_MISMATCH when the file changed
   * or vanished behind the manifest's back (a half-finished rebuild, a tampered file).
   */
  async file(name: string): Promise<ArtifactFile | undefined> {
    const { manifest } = await this.manifest();
    const entry = manifest.files.find((f) => f.name === name);
    if (entry === undefined) return undefined;
    const path = join(this.artifactsPath, ...artifactLocation(entry.name).split('/'));
    const mismatch = (why: string, cause?: unknown) =>
      new AppError('ARTIFACT_MISMATCH', `${entry.name} ${why}; rebuild the artifacts`, { cause, details: { artifact: entry.name } });
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw mismatch('is listed in the manifest but missing', error);
    }
    if (!info.isFile() || info.size !== entry.size) throw mismatch(`has ${info.size} bytes, the manifest says ${entry.size}`);
    const key = `${fingerprint(info)}:${entry.sha256}`;
    if (this.verified.get(path) !== key) {
      if ((await hashFile(path)) !== entry.sha256) throw mismatch('does not match its SHA-256 in the manifest');
      this.verified.set(path, key);
    }
    return { ...entry, path, contentType: contentTypeFor(entry.name) };
  }
}
