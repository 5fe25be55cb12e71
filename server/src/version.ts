/** The single version of everything (the root `version` file) and the git commit when known. */
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface BuildInfo {
  version: string;
  commit: string | null;
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const version = readFileSync(join(REPOSITORY_ROOT, 'version'), 'utf8').trim();
  cached = { version, commit: process.env.GIT_COMMIT?.trim() || gitCommit() };
  return cached;
}

function gitCommit(): string | null {
  if (!existsSync(join(REPOSITORY_ROOT, '.git'))) return null;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPOSITORY_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim() || null;
  } catch {
    return null;
  }
}
