/**
 * Which files of the checkout go into the artifacts: the host agent scripts (`Powershell/`)
 * and the contents of the two provisioning ISOs (`Windows/`, `Linux/`, plus `version`).
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SourceFile {
  /** `/`-separated path relative to the folder it was collected from. */
  path: string;
  data: Buffer;
}

/** Never shipped: hidden files (editor and VCS litter), dependencies, bytecode caches (they hold build-machine timestamps) and tests. */
function excluded(name: string, directory: boolean): boolean {
  if (name.startsWith('.') || name === 'node_modules' || name === '__pycache__') return true;
  if (directory) return /^tests?$/i.test(name);
  return /\.test\.[cm]?[jt]s$/.test(name) || /\.Tests\.ps1$/i.test(name) || /\.py[co]$/.test(name);
}

/** Every regular file under `dir` (sorted, symlinks and special files skipped); a missing folder is empty. */
export async function collectFiles(dir: string, accept: (path: string) => boolean = () => true, prefix = ''): Promise<SourceFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: SourceFile[] = [];
  for (const entry of entries) {
    const path = prefix + entry.name;
    if (excluded(entry.name, entry.isDirectory())) continue;
    if (entry.isDirectory()) files.push(...(await collectFiles(join(dir, entry.name), accept, `${path}/`)));
    else if (entry.isFile() && accept(path)) files.push({ path, data: await readFile(join(dir, entry.name)) });
  }
  return files;
}

/** Host agent files: PowerShell scripts, modules and manifests, at any depth (e.g. `bootstrap/`). */
export function isHostScript(path: string): boolean {
  return /\.(ps1|psm1|psd1)$/i.test(path);
}

/** 1980-01-01T00:00:00Z: the date recorded when neither SOURCE_DATE_EPOCH nor git history is available. */
export const FALLBACK_EPOCH_SECONDS = 315532800;

/**
 * The one timestamp recorded in the ISOs: `SOURCE_DATE_EPOCH` (reproducible-builds.org)
 * when set, otherwise the commit time of the last change to `version`, otherwise a fixed date.
 * Never the wall clock, so rebuilding the same checkout gives the same bytes.
 */
export function resolveSourceDate(root: string, env: NodeJS.ProcessEnv = process.env): Date {
  const fromEnv = env.SOURCE_DATE_EPOCH?.trim();
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return new Date(Number(fromEnv) * 1000);
  try {
    const out = execFileSync('git', ['log', '-1', '--format=%ct', '--', 'version'], {
      cwd: root, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (/^\d+$/.test(out)) return new Date(Number(out) * 1000);
  } catch {
    // not a git checkout (e.g. the Docker build context has no .git): use the fixed date
  }
  return new Date(FALLBACK_EPOCH_SECONDS * 1000);
}
