/**
 * Finding the real pwsh (PWSH, else the one `npm run build:pwsh` builds) and the one-time
 * compilation of the shim's .NET types (AetherV.SimTypes.cs), cached per machine by content so
 * that a host's pwsh start loads a DLL instead of compiling C#.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SIM_POWERSHELL = join(REPOSITORY_ROOT, 'simulator', 'powershell');
export const SIM_MODULES = join(SIM_POWERSHELL, 'Modules');
export const ENTRY_SCRIPT = join(SIM_POWERSHELL, 'Enter-SimulatedHost.ps1');
const TYPES_SOURCE = join(SIM_MODULES, 'AetherV.SimBackend', 'AetherV.SimTypes.cs');

/** The pwsh to run, or a clear error saying how to get one. */
export function findPwsh(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PWSH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`PWSH=${configured} does not exist: point PWSH at a pwsh executable, or unset it to use the one "npm run build:pwsh" builds.`);
    return configured;
  }
  const built = join(REPOSITORY_ROOT, '.tools', 'pwsh', 'pwsh');
  if (!existsSync(built)) throw new Error(`The simulator's powershell agent mode needs pwsh: run "npm run build:pwsh" (builds ${built}) or set PWSH.`);
  return built;
}

const compiled = new Map<string, Promise<string>>();

/** The compiled AetherV.SimTypes DLL for this pwsh (compiles it the first time on this machine). */
export function simTypes(pwsh: string): Promise<string> {
  const source = readFileSync(TYPES_SOURCE, 'utf8');
  const key = createHash('sha256').update(source).update(pwsh).digest('hex').slice(0, 16);
  let p = compiled.get(key);
  if (!p) {
    p = compileTypes(pwsh, key);
    compiled.set(key, p);
    p.catch(() => compiled.delete(key));
  }
  return p;
}

async function compileTypes(pwsh: string, key: string): Promise<string> {
  const dir = join(tmpdir(), 'aetherv-sim-types');
  const dll = join(dir, `AetherV.SimTypes-${key}.dll`);
  if (existsSync(dll)) return dll;
  mkdirSync(dir, { recursive: true });
  // Another process may compile at the same time: each writes its own file, the rename is atomic.
  const partial = join(dir, `AetherV.SimTypes-${key}.${process.pid}.${Date.now()}.dll`);
  try {
    await promisify(execFile)(pwsh, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command',
      'Add-Type -TypeDefinition (Get-Content -Raw -LiteralPath $env:AETHERV_SRC) -OutputAssembly $env:AETHERV_OUT -OutputType Library'], {
      env: { ...process.env, AETHERV_SRC: TYPES_SOURCE, AETHERV_OUT: partial },
      timeout: 120_000,
    }).then(undefined, (err: unknown) => { throw new Error(`Compiling ${TYPES_SOURCE} failed: ${err instanceof Error ? err.message : String(err)}`); });
    renameSync(partial, dll);
  } finally {
    rmSync(partial, { force: true });
  }
  return dll;
}
