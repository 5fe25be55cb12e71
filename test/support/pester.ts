/**
 * Runs Pester suites in the real pwsh and turns every Pester test into a node:test test, so a
 * Pester failure fails `npm test` with Pester's own message. A skipped, inconclusive or not-run
 * Pester test fails too (nothing passes silently), and so does a container that failed to load,
 * a suite that ran no test, and a missing pwsh (never a skip).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PESTER_VERSION = /Include="Pester" Version="\[([0-9.]+)\]"/.exec(readFileSync(join(repoRoot, 'tools', 'pwsh', 'pwsh.csproj'), 'utf8'))?.[1] ?? '';

/** The pwsh the tests use: $PWSH, else the one `npm run build:pwsh` built. */
export function pwshPath(): string {
  const configured = process.env.PWSH;
  const path = configured && configured !== '' ? configured : join(repoRoot, '.tools', 'pwsh', 'pwsh');
  if (!existsSync(path)) throw new Error(`pwsh not found at ${path}: run \`npm run build:pwsh\` (needs the .NET SDK) or set PWSH`);
  return path;
}

export function pesterManifest(): string {
  const path = process.env.PESTER_MANIFEST ?? join(repoRoot, '.tools', 'pester', PESTER_VERSION, 'Pester.psd1');
  if (!existsSync(path)) throw new Error(`Pester ${PESTER_VERSION} not found at ${path}: run \`npm run build:pwsh\``);
  return path;
}

export interface PesterTestResult {
  path: string;
  result: string;
  message: string | null;
  file: string;
  line: number | null;
}

export interface PesterRun {
  tests: PesterTestResult[];
  containers: { file: string; result: string; message: string | null }[];
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

// Runs in pwsh: Pester with PassThru, the results written as JSON to $args[1].
const RUNNER = String.raw`
# Every path after the first two: with -File, a plain [string[]] would bind only the first.
param([string] $Pester, [string] $Out, [Parameter(ValueFromRemainingArguments = $true)][string[]] $Paths)
$ErrorActionPreference = 'Stop'
Import-Module -Name $Pester -Force
$config = New-PesterConfiguration
$config.Run.Path = $Paths
$config.Run.PassThru = $true
$config.Output.Verbosity = 'None'
$config.Should.ErrorAction = 'Stop'
$run = Invoke-Pester -Configuration $config
$message = {
  param($records)
  $texts = @(foreach ($r in @($records)) { if ($null -ne $r) { [string]$r.Exception.Message + [Environment]::NewLine + [string]$r.ScriptStackTrace } })
  if ($texts.Count -eq 0) { $null } else { $texts -join [Environment]::NewLine }
}
$tests = @(foreach ($t in $run.Tests) {
  [ordered]@{ path = ($t.ExpandedPath); result = [string]$t.Result; message = (& $message $t.ErrorRecord);
    file = [string]$t.ScriptBlock.File; line = $t.StartLine }
})
$containers = @(foreach ($c in $run.Containers) {
  [ordered]@{ file = [string]$c.Item; result = [string]$c.Result; message = (& $message $c.ErrorRecord) }
})
$json = ConvertTo-Json -InputObject ([ordered]@{ tests = $tests; containers = $containers }) -Depth 6
[System.IO.File]::WriteAllText($Out, $json, [System.Text.UTF8Encoding]::new($false))
`;

export async function runPester(paths: string[], env: NodeJS.ProcessEnv = {}): Promise<PesterRun> {
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-pester-'));
  try {
    const runner = join(dir, 'run-pester.ps1');
    const out = join(dir, 'results.json');
    writeFileSync(runner, RUNNER);
    const child = spawn(pwshPath(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', runner, pesterManifest(), out, ...paths.map((p) => resolve(repoRoot, p))],
      { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    const exitCode = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    if (!existsSync(out)) throw new Error(`Pester did not finish (exit ${exitCode}):\n${stderr}\n${stdout}`);
    const parsed = JSON.parse(readFileSync(out, 'utf8')) as { tests: PesterTestResult[] | PesterTestResult | null; containers: PesterRun['containers'] | PesterRun['containers'][number] | null };
    const list = <T>(v: T[] | T | null): T[] => (v === null ? [] : Array.isArray(v) ? v : [v]);
    return { tests: list(parsed.tests), containers: list(parsed.containers), stdout, stderr, exitCode };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Declares one node:test test per Pester test of the given files or folders. Must be called at
 * the top level of a *.test.ts file.
 */
export function pesterSuite(name: string, paths: string[], env: NodeJS.ProcessEnv = {}): void {
  test(name, async (t: TestContext) => {
    const run = await runPester(paths, env);
    for (const c of run.containers) {
      // A container whose tests failed is reported through them; one that failed outside its
      // tests (discovery, BeforeAll, a syntax error) or never ran is a failure of its own.
      if (c.message !== null || (c.result !== 'Passed' && c.result !== 'Failed')) {
        await t.test(`container ${c.file}`, () => { throw new Error(`Pester container ${c.result}: ${c.file}\n${c.message ?? run.stderr}`); });
      }
    }
    if (run.tests.length === 0) throw new Error(`Pester ran no test in ${paths.join(', ')}\n${run.stderr}`);
    for (const pt of run.tests) {
      await t.test(pt.path, () => {
        if (pt.result !== 'Passed') {
          throw new Error(`Pester test ${pt.result}${pt.line ? ` (${pt.file}:${pt.line})` : ''}: ${pt.path}\n${pt.message ?? 'no error record'}`);
        }
      });
    }
  });
}
