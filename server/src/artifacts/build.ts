/**
 * Assembles `artifacts/` from the checkout (DESIGN §1, §4):
 *   isos/WindowsProvisioning.iso  (label WINPROVISIONING: Windows/ + version)
 *   isos/LinuxProvisioning.iso    (label CIDATA: Linux/ + version)
 *   scripts/**                    (Powershell/ *.ps1|psm1|psd1, with bootstrap/)
 *   version, manifest.json        (manifest written last)
 * Deterministic and idempotent: unchanged files are not rewritten, files that no longer
 * have a source are removed from isos/ and scripts/, and every write is atomic (temp + rename)
 * so a server reading artifacts/ meanwhile never sees half a file.
 *
 * CLI (`npm run build:artifacts -- [--out DIR] [--root DIR]`): DIR defaults to ./artifacts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.ts';
import { createIso } from './iso9660.ts';
import type { Manifest } from './manifest.ts';
import {
  ISOS_DIR, MANIFEST_FILE, SCRIPTS_DIR, VERSION_FILE, artifactLocation, isSafeArtifactName, manifestEntry, serializeManifest,
} from './manifest.ts';
import { collectFiles, isHostScript, resolveSourceDate } from './sources.ts';
import { withThrowawayPassword } from './unattend-password.ts';

export interface BuildArtifactsOptions {
  /** Repository root (holds `version`, `Powershell/`, `Windows/`, `Linux/`). */
  root: string;
  /** Output folder, e.g. `<root>/artifacts`. */
  outDir: string;
  /** Timestamp recorded in the ISOs; default: SOURCE_DATE_EPOCH, else the commit time of `version`. */
  timestamp?: Date;
}

export interface BuildArtifactsResult {
  outDir: string;
  manifest: Manifest;
  /** Problems that do not stop the build but will stop a guest (e.g. no user-data on the Linux ISO). */
  warnings: string[];
  /** Paths (relative to outDir) written or removed by this run; empty when everything was current. */
  changed: string[];
}

export interface IsoSpec {
  name: string;
  source: string;
  volumeId: string;
  /** Files a guest cannot do without (checked case-insensitively, at the ISO root). */
  required: string[];
}

export const ISO_SPECS: readonly IsoSpec[] = [
  { name: 'WindowsProvisioning.iso', source: 'Windows', volumeId: 'WINPROVISIONING', required: ['unattend.xml'] },
  { name: 'LinuxProvisioning.iso', source: 'Linux', volumeId: 'CIDATA', required: ['user-data', 'meta-data'] },
];

async function readVersion(root: string): Promise<Buffer> {
  try {
    return await readFile(join(root, VERSION_FILE));
  } catch (error) {
    throw new AppError('ARTIFACT_BUILD', `cannot read ${join(root, VERSION_FILE)}`, { cause: error });
  }
}

function applicationId(version: string): string {
  return `AETHERV ORCHESTRATOR ${version.toUpperCase().replace(/[^A-Z0-9_.-]/g, '_')}`.slice(0, 128);
}

async function buildIsoImage(root: string, spec: IsoSpec, version: Buffer, timestamp: Date, warnings: string[]): Promise<Buffer> {
  const files = await collectFiles(join(root, spec.source));
  if (files.some((f) => f.path === VERSION_FILE)) {
    throw new AppError('ARTIFACT_BUILD', `${spec.source}/${VERSION_FILE} would hide the repository's version file on ${spec.name}`);
  }
  const rootNames = new Set(files.filter((f) => !f.path.includes('/')).map((f) => f.path.toLowerCase()));
  for (const name of spec.required) {
    if (!rootNames.has(name)) warnings.push(`${spec.name}: ${spec.source}/${name} is missing; guests cannot provision from this ISO`);
  }
  // The version is hashed into unattend.xml's throw-away password too: a new build, a new value.
  const entries = withThrowawayPassword([...files, { path: VERSION_FILE, data: version }]);
  return createIso(entries, { volumeId: spec.volumeId, timestamp, applicationId: applicationId(version.toString('utf8').trim()) });
}

async function writeIfChanged(path: string, data: Buffer): Promise<boolean> {
  const current = await readFile(path).catch(() => undefined);
  if (current !== undefined && current.equals(data)) return false;
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
  return true;
}

async function listFiles(dir: string, prefix: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const path = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), path)));
    else out.push(path);
  }
  return out;
}

export async function buildArtifacts(options: BuildArtifactsOptions): Promise<BuildArtifactsResult> {
  const root = resolve(options.root);
  const outDir = resolve(options.outDir);
  const timestamp = options.timestamp ?? resolveSourceDate(root);
  const warnings: string[] = [];
  const version = await readVersion(root);
  const versionText = version.toString('utf8').trim();
  if (versionText.length === 0) throw new AppError('ARTIFACT_BUILD', 'the version file is empty');

  const outputs = new Map<string, Buffer>(); // location in outDir → bytes
  const manifest: Manifest = { version: versionText, files: [] };
  const add = (name: string, data: Buffer) => {
    if (!isSafeArtifactName(name)) throw new AppError('ARTIFACT_BUILD', `artifact name is not a safe relative path: ${name}`);
    outputs.set(artifactLocation(name), data);
    manifest.files.push(manifestEntry(name, data));
  };
  for (const script of await collectFiles(join(root, 'Powershell'), isHostScript)) add(script.path, script.data);
  if (manifest.files.length === 0) warnings.push('Powershell/ has no scripts: hosts would get an empty agent');
  for (const spec of ISO_SPECS) add(spec.name, await buildIsoImage(root, spec, version, timestamp, warnings));
  outputs.set(VERSION_FILE, version);

  const changed: string[] = [];
  for (const [location, data] of outputs) {
    if (await writeIfChanged(join(outDir, location), data)) changed.push(location);
  }
  for (const dir of [ISOS_DIR, SCRIPTS_DIR]) {
    for (const location of await listFiles(join(outDir, dir), dir)) {
      if (outputs.has(location)) continue;
      await rm(join(outDir, location), { force: true });
      changed.push(location);
    }
  }
  if (await writeIfChanged(join(outDir, MANIFEST_FILE), Buffer.from(serializeManifest(manifest)))) changed.push(MANIFEST_FILE);
  return { outDir, manifest: { ...manifest, files: [...manifest.files].sort((a, b) => (a.name < b.name ? -1 : 1)) }, warnings, changed };
}

function parseArgs(argv: string[]): { out: string; root: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  const args = { out: resolve('artifacts'), root: resolve(here, '../../..') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if ((flag !== '--out' && flag !== '--root') || value === undefined) {
      throw new AppError('BAD_REQUEST', `usage: build:artifacts [--out DIR] [--root DIR] (got ${argv.join(' ')})`);
    }
    args[flag === '--out' ? 'out' : 'root'] = resolve(value);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const result = await buildArtifacts({ root: args.root, outDir: args.out });
  for (const warning of result.warnings) console.error(`warning: ${warning}`);
  console.log(`artifacts ${result.manifest.version} in ${result.outDir} (${result.changed.length} changed)`);
  for (const file of result.manifest.files) console.log(`  ${artifactLocation(file.name).padEnd(48)} ${String(file.size).padStart(9)}  ${file.sha256.slice(0, 16)}`);
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main().catch((error: unknown) => {
    console.error(`build:artifacts failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
