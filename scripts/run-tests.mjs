#!/usr/bin/env node
// Runs every *.test.ts under server/, simulator/, test/ and scripts/ through node:test + tsx.
// Node 20 cannot glob .ts test files itself, so we list them explicitly.
// Usage: node scripts/run-tests.mjs [path-filter …]   (filters are substrings of file paths)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const roots = ['server', 'simulator', 'test', 'scripts', 'bench'];
// Build output and data only at the top level: server/src/artifacts/ holds tests.
const skip = new Set(['node_modules', 'dist', '.tmp']);
const skipTopLevel = new Set(['artifacts', 'data']);
const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    if (skip.has(name)) continue;
    const full = join(dir, name);
    if (skipTopLevel.has(full)) continue;
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.test.ts')) files.push(relative(process.cwd(), full));
  }
}
roots.forEach(walk);
const filters = process.argv.slice(2);
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error(`no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}
// The PowerShell tests run the real pwsh built from NuGet (needs the .NET SDK): build it once.
if (!process.env.PWSH) {
  const build = spawnSync(process.execPath, [join('scripts', 'build-pwsh.mjs'), '--if-missing'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A test that hangs fails after TEST_TIMEOUT_MS instead of stalling CI, and a file that leaves
// a handle open cannot keep the run from finishing. 10 minutes: the end-to-end files with the
// real agent start pwsh for every host call and take minutes on a loaded 2-core machine; a real
// hang still ends well inside CI's limit.
const timeout = process.env.TEST_TIMEOUT_MS ?? '600000';
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, '--test-force-exit', ...selected], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
