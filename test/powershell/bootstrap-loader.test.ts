/**
 * The bootstrap loader (server/src/agent/bootstrap-loader.ts) in the real pwsh, run with the
 * exact command line the server builds and raw bytes on stdin: it reads stdin as UTF-8 once
 * (a BOM and CRLF tolerated), runs the script of the first line with the rest as its one
 * argument, and refuses anything else with the agent's result line (id null, exit 0). It also
 * passes the Windows PowerShell 5.1 guard, since hosts run it in powershell.exe 5.1.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOTSTRAP_LOADER, LOADER_MARKER, bootstrapStdin } from '../../server/src/agent/bootstrap-loader.ts';
import { bootstrapLoaderCommand, COMMAND_LINE_LIMIT } from '../../server/src/agent/command.ts';
import { pwshPath, repoRoot } from '../support/pester.ts';

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the server's loader command line in pwsh (`powershell.exe` is the one name replaced). */
function runLoader(stdin: Buffer | string): Promise<Run> {
  const [executable, ...args] = bootstrapLoaderCommand().split(' ');
  assert.equal(executable, 'powershell.exe');
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-loader-'));
  const child = spawn(pwshPath(), args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

const resultLines = (stdout: string) => stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

/** A marked script that answers with what it was given: its argument, verbatim, and its type. */
const ECHO = [
  '# aetherv-bootstrap: version',
  'param([string] $InputJson)',
  '$o = [IO.StreamWriter]::new([Console]::OpenStandardOutput(), [Text.UTF8Encoding]::new($false))',
  "$o.Write((ConvertTo-Json -Compress ([ordered]@{ type = 'result'; id = $null; ok = $true; result = [ordered]@{ input = $InputJson; args = $args.Count } })) + \"`n\")",
  '$o.Flush()',
  'exit 0',
].join('\r\n');

function assertRefused(run: Run, what: string, message: RegExp = /must start with a bootstrap script/): void {
  assert.equal(run.code, 0, `${what}: exit 0 with a result line (${run.stderr})`);
  const lines = resultLines(run.stdout);
  assert.equal(lines.length, 1, `${what}: one line: ${run.stdout}`);
  const [line] = lines;
  assert.deepEqual([line?.type, line?.id, line?.ok], ['result', null, false], what);
  const error = line?.error as { code: string; message: string; retryable: boolean };
  assert.deepEqual([error.code, error.retryable], ['INVALID_REQUEST', false], what);
  assert.match(error.message, message, what);
}

describe('the bootstrap loader', () => {
  it('is the same short command line for every script: at least 1,000 characters left under cmd.exe (SSH)', () => {
    const command = bootstrapLoaderCommand();
    assert.ok(command.startsWith('powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand '));
    assert.ok(COMMAND_LINE_LIMIT.ssh - command.length >= 1000, `${command.length} characters`);
    assert.equal(Buffer.from(command.split(' ').at(-1)!, 'base64').toString('utf16le'), BOOTSTRAP_LOADER);
    assert.equal(BOOTSTRAP_LOADER.split('\n')[0], LOADER_MARKER);
  });

  it('runs the script of the first line with the rest of stdin, as UTF-8, as its one argument; a BOM and CRLF are fine', async () => {
    // User data stays data: PowerShell syntax inside the JSON reaches the script as text.
    const input = `${JSON.stringify({ installDirectory: 'C:\\Aether-V é 名', note: '$(Remove-Item C:\\ -Recurse); `"' })}\r\n`;
    const run = await runLoader(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bootstrapStdin(ECHO, input).replace('\n', '\r\n'), 'utf8')]));
    assert.equal(run.code, 0, run.stderr);
    const [line] = resultLines(run.stdout);
    assert.deepEqual(line?.result, { input, args: 0 });
  });

  it('leaves the exit code to the script (exit inside the script ends the process)', async () => {
    const run = await runLoader(bootstrapStdin('# aetherv-bootstrap: stage\nparam([string] $InputJson)\n[Console]::Out.Write($InputJson)\nexit 3\n[Console]::Out.Write("not reached")', '{"a":1}'));
    assert.deepEqual([run.code, run.stdout], [3, '{"a":1}'], run.stderr);
  });

  it('refuses empty stdin, a first line that is not base64, and the old shape (JSON alone) with one result line', async () => {
    assertRefused(await runLoader(''), 'empty stdin');
    assertRefused(await runLoader('\r\n{"installDirectory":"C:\\\\x"}'), 'an empty first line');
    assertRefused(await runLoader('{"installDirectory":"C:\\\\x"}'), 'JSON only');
    assertRefused(await runLoader('not base64 at all!\n{}'), 'not base64');
  });

  it('runs only a marked bootstrap script, and refuses one PowerShell cannot parse with its parse error', async () => {
    assertRefused(await runLoader(bootstrapStdin("Write-Output 'no marker'", '{}')), 'an unmarked script');
    assertRefused(await runLoader(bootstrapStdin('# aetherv-bootstrap: version\nif ($x {', '{}')), 'a script that does not parse', /At line:2 char:8/);
  });

  it('is valid Windows PowerShell 5.1 (the guard every shipped script passes)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aetherv-loader-guard-'));
    try {
      writeFileSync(join(dir, 'loader.ps1'), BOOTSTRAP_LOADER);
      const guard = join(repoRoot, 'test', 'powershell', 'ps51-guard.ps1');
      const list = join(repoRoot, 'test', 'powershell', 'ps51-incompatible.json');
      const child = spawn(pwshPath(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', guard, '-ListPath', list, '-Root', dir, 'loader.ps1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, stderr);
      const result = JSON.parse(stdout) as { files: string[]; findings: unknown[] };
      assert.deepEqual(result.files, ['loader.ps1']);
      assert.deepEqual(result.findings, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
