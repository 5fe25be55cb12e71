/**
 * The bootstrap scripts (DESIGN §4) run before the agent is installed. Each call's command line
 * is the fixed loader (`-EncodedCommand <base64 of UTF-16LE>`, server/src/agent/bootstrap-loader.ts)
 * and the script travels on stdin, so every call leaves the same headroom under the 8,191
 * characters of cmd.exe / OpenSSH whatever the scripts grow to. Each script starts with its
 * marker line, takes its input as its one argument and is self-contained.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandCalls, listPowerShellFiles, parseScript, repoRoot } from './powershell-ast.ts';
import { AgentClient } from '../../server/src/agent/client.ts';
import { BootstrapRunner, type BootstrapScriptName } from '../../server/src/agent/bootstrap.ts';
import type { RunCommandOptions } from '../../server/src/remoting/transport.ts';

const COMMAND_LINE_LIMIT = 8191;
/** Issue 16 item 7b: at least this much of cmd.exe's command line stays free on every bootstrap call over SSH. */
const SSH_HEADROOM = 1000;

const expected = new Map<string, BootstrapScriptName>([
  ['Powershell/bootstrap/Get-AgentVersion.ps1', 'version'],
  ['Powershell/bootstrap/Stage-AgentFile.ps1', 'stage'],
  ['Powershell/bootstrap/Install-Agent.ps1', 'install'],
]);

const read = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');

test('the bootstrap folder holds exactly the version, stage and install scripts', () => {
  assert.deepEqual(listPowerShellFiles('Powershell/bootstrap'), [...expected.keys()].sort());
});

test('each bootstrap script starts with its marker line, then takes the input JSON as its one parameter', () => {
  for (const [file, kind] of expected) {
    const lines = read(file).replace(/^\uFEFF/, '').split(/\r?\n/);
    assert.equal(lines[0], `# aetherv-bootstrap: ${kind}`, file);
    const firstStatement = lines.slice(1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    assert.equal(firstStatement, 'param([string] $InputJson)', file);
    // The loader owns stdin: a script reading it again would find it empty.
    assert.doesNotMatch(read(file), /OpenStandardInput|\[Console\]::In\b|\$input\b/i, `${file} leaves stdin to the loader`);
  }
});

/** What the server's BootstrapRunner sends over SSH for a script (from `directory`, default Powershell/bootstrap/). */
async function sentOverSsh(script: BootstrapScriptName, directory?: string): Promise<RunCommandOptions> {
  const sent: RunCommandOptions[] = [];
  const transport = {
    host: 'hv01', kind: 'ssh' as const, close: async () => undefined,
    run: async (options: RunCommandOptions) => {
      sent.push(options);
      return { exitCode: 0, stdout: '', stderr: '' };
    },
  };
  const client = new AgentClient({ transports: { get: () => transport }, validator: null, retry: { retries: 0 } });
  const runner = new BootstrapRunner({ client, transportKind: () => 'ssh', validator: null, ...(directory === undefined ? {} : { directory }) });
  // This host answers nothing (the call fails); what was sent is what counts here.
  await runner.run('hv01', script, {} as never).catch(() => undefined);
  assert.equal(sent.length, 1);
  return sent[0]!;
}

test(`every bootstrap call, as the server sends it over SSH, leaves at least ${SSH_HEADROOM} characters of cmd.exe's command line`, async () => {
  const commands = new Set<string>();
  for (const [file, kind] of expected) {
    const { command, stdin } = await sentOverSsh(kind);
    const headroom = COMMAND_LINE_LIMIT - command.length;
    assert.ok(headroom >= SSH_HEADROOM, `${file}: a ${command.length}-character command line leaves ${headroom}, ${SSH_HEADROOM} required`);
    commands.add(command);
    // The script is on stdin, whole: its first line decodes to the file itself.
    const [line] = String(stdin).split('\n', 1);
    assert.equal(Buffer.from(line!, 'base64').toString('utf8'), read(file).replace(/^\uFEFF/, ''), file);
  }
  assert.equal(commands.size, 1, 'one command line for every script: the loader');
});

test('a script far larger than cmd.exe allows still makes the same short command line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-big-bootstrap-'));
  try {
    const big = `# aetherv-bootstrap: version\r\nparam([string] $InputJson)\r\n${'$padding = 1\r\n'.repeat(2000)}`;
    assert.ok(big.length > COMMAND_LINE_LIMIT);
    writeFileSync(join(dir, 'Big.ps1'), big);
    const sent = await sentOverSsh('version', dir);
    assert.equal(sent.command, (await sentOverSsh('version')).command);
    assert.equal(Buffer.from(String(sent.stdin).split('\n', 1)[0]!, 'base64').toString('utf8'), big);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bootstrap scripts are self-contained and never run text as code', async () => {
  for (const file of expected.keys()) {
    const script = await parseScript(file);
    const names = commandCalls(script.root).map((c) => c.name.toLowerCase());
    for (const banned of ['invoke-expression', 'iex', 'add-type', 'import-module']) {
      assert.ok(!names.includes(banned), `${file} does not call ${banned}`);
    }
    assert.doesNotMatch(script.source, /^\s*\.\s/m, `${file} dot-sources nothing`);
    assert.doesNotMatch(script.source, /\[scriptblock\]::Create/i, `${file} builds no script blocks`);
    assert.match(script.source, /Set-StrictMode -Version 3\.0/);
    assert.match(script.source, /\$ErrorActionPreference = 'Stop'/);
  }
});
