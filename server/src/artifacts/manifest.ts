/**
 * The artifact manifest (DESIGN §4): `{"version","files":[{"name","sha256","size"}]}`.
 *
 * A file's `name` is its path relative to the host install directory, `/`-separated
 * (`AetherV.Agent.ps1`, `bootstrap/Install-Agent.ps1`, `WindowsProvisioning.iso`). Inside
 * `artifacts/`, ISOs live under `isos/` and everything else under `scripts/`, so the name
 * alone says where the file is on both sides.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.ts';

export interface ManifestFile {
  name: string;
  sha256: string;
  size: number;
}

export interface Manifest {
  version: string;
  files: ManifestFile[];
}

export const MANIFEST_FILE = 'manifest.json';
export const VERSION_FILE = 'version';
export const ISOS_DIR = 'isos';
export const SCRIPTS_DIR = 'scripts';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** A name is a relative path of plain segments: no `..`, no absolute path, no backslash, no drive. */
export function isSafeArtifactName(name: string): boolean {
  if (name.length === 0 || name.length > 200) return false;
  return name.split('/').every((segment) => SEGMENT.test(segment) && segment !== '..' && !segment.endsWith('.'));
}

/** Where a manifest entry lives inside `artifacts/` (a `/`-separated relative path). */
export function artifactLocation(name: string): string {
  return name.toLowerCase().endsWith('.iso') ? `${ISOS_DIR}/${name}` : `${SCRIPTS_DIR}/${name}`;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function manifestEntry(name: string, data: Uint8Array): ManifestFile {
  return { name, sha256: sha256Hex(data), size: data.length };
}

/** Canonical text: entries sorted by name, two-space indentation, final newline. */
export function serializeManifest(manifest: Manifest): string {
  const files = [...manifest.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `${JSON.stringify({ version: manifest.version, files }, null, 2)}\n`;
}

function invalid(reason: string): AppError {
  return new AppError('ARTIFACTS_UNAVAILABLE', `artifact manifest is invalid: ${reason}`);
}

/** Parses and checks a manifest; every name must be safe and unique. */
export function parseManifest(text: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw invalid('not an object');
  const { version, files } = raw as { version?: unknown; files?: unknown };
  if (typeof version !== 'string' || version.length === 0) throw invalid('missing version');
  if (!Array.isArray(files)) throw invalid('missing files');
  const seen = new Set<string>();
  const checked = files.map((file: unknown, i): ManifestFile => {
    const { name, sha256, size } = (file ?? {}) as { name?: unknown; sha256?: unknown; size?: unknown };
    if (typeof name !== 'string' || !isSafeArtifactName(name)) throw invalid(`files[${i}].name is not a safe relative path`);
    if (seen.has(name)) throw invalid(`files[${i}].name is listed twice`);
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw invalid(`files[${i}].sha256 is not a SHA-256 hex digest`);
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`files[${i}].size is not a byte count`);
    seen.add(name);
    return { name, sha256, size };
  });
  return { version, files: checked };
}

/** Reads `<artifactsPath>/manifest.json`; ARTIFACTS_UNAVAILABLE if it is missing or invalid. */
export async function readManifest(artifactsPath: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(artifactsPath, MANIFEST_FILE), 'utf8');
  } catch (error) {
    throw new AppError('ARTIFACTS_UNAVAILABLE', `no artifact manifest under ${artifactsPath} (run npm run build:artifacts)`, { cause: error });
  }
  return parseManifest(text);
}
