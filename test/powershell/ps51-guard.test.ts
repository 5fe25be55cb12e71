/**
 * The Windows PowerShell 5.1 guard: hosts and guests run powershell.exe 5.1 on .NET Framework
 * 4.8, while the tests run the scripts in pwsh 7, which accepts much that 5.1 rejects. The guard
 * (ps51-guard.ps1, in the real pwsh) reads every shipped script with PowerShell's own parser and
 * refuses the constructs listed, each with its Microsoft source, in ps51-incompatible.json.
 *
 * So that the guard cannot rot, every rule's own example and every hand-written fixture under
 * fixtures/ps7-only/ must be found, and the look-alikes under fixtures/ps51-valid/ must not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles, isHostScript } from '../../server/src/artifacts/sources.ts';
import { pwshPath, repoRoot } from '../support/pester.ts';

const here = join(repoRoot, 'test', 'powershell');
const guardScript = join(here, 'ps51-guard.ps1');
const listPath = join(here, 'ps51-incompatible.json');

interface Rule {
  id: string;
  kind: string;
  since: string;
  why: string;
  source: string;
  example: string;
  [field: string]: unknown;
}
interface Exception { file: string; rule: string; text: string; reason: string }
interface IncompatibleList { windowsAliases: Record<string, string>; rules: Rule[]; exceptions: Exception[] }
interface Finding { file: string; line: number; column: number; rule: string; text: string; construct: string; why: string; source: string }
interface GuardResult { files: string[]; findings: Finding[]; excepted: Finding[]; staleExceptions: Exception[] }

const list = JSON.parse(readFileSync(listPath, 'utf8')) as IncompatibleList;

async function runGuard(root: string, files: string[], list: string = listPath): Promise<GuardResult> {
  const child = spawn(pwshPath(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', guardScript, '-ListPath', list, '-Root', root, ...files],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`ps51-guard.ps1 exited ${code}:\n${stderr}\n${stdout}`);
  return JSON.parse(stdout) as GuardResult;
}

const describe = (f: Finding): string => `${f.file}:${f.line}:${f.column} [${f.rule}] ${f.construct} — ${f.why} (${f.source})`;

/** What ships to hosts and ISOs: the artifact build's own selection (tests/ and *.Tests.ps1 excluded). */
async function shippedScripts(): Promise<string[]> {
  const files: string[] = [];
  for (const folder of ['Powershell', 'Windows']) {
    for (const f of await collectFiles(join(repoRoot, folder), isHostScript)) files.push(`${folder}/${f.path}`);
  }
  return files;
}

// The fixture run: every rule's example (generated from the list), the hand-written fixtures,
// and a capability-guarded call excused by an exception, with a list that also holds a stale
// exception. One pwsh run for all of them.
const GUARDED = [
  '# A capability check makes the 7.5-only parameter safe: 5.1 never takes this branch.',
  '$convert = @{ InputObject = $text }',
  "if ((Get-Command -Name 'ConvertFrom-Json').Parameters.ContainsKey('DateKind')) {",
  "    $convert['DateKind'] = 'String'",
  '}',
  '$parsed = ConvertFrom-Json @convert',
  '',
].join('\n');
const guardedException: Exception = { file: 'guarded/capability-check.ps1', rule: 'ConvertFrom-Json -DateKind', text: "$convert['DateKind'] = 'String'", reason: 'behind a capability check' };
const staleException: Exception = { file: 'guarded/capability-check.ps1', rule: 'ternary', text: '$a = $b ? 1 : 2', reason: 'matches nothing' };
const MUTATED = 'mutated/AetherV.Agent.ps1';
const exampleFile = (rule: Rule, index: number): string => `examples/${String(index).padStart(3, '0')}-${rule.id.replace(/[^A-Za-z0-9]+/g, '-')}.ps1`;

let fixtureRun: Promise<{ result: GuardResult; files: string[] }> | undefined;
function runFixtures(): Promise<{ result: GuardResult; files: string[] }> {
  fixtureRun ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aetherv-ps51-'));
    try {
      const files: string[] = [];
      mkdirSync(join(dir, 'examples'));
      list.rules.forEach((rule, index) => {
        writeFileSync(join(dir, exampleFile(rule, index)), rule.example);
        files.push(exampleFile(rule, index));
      });
      for (const folder of ['ps7-only', 'ps51-valid']) {
        cpSync(join(here, 'fixtures', folder), join(dir, folder), { recursive: true });
        files.push(...readdirSync(join(dir, folder)).filter((n) => n.endsWith('.ps1')).sort().map((n) => `${folder}/${n}`));
      }
      // A shipped script as it is, plus one PowerShell 7 line: the real file is analysed, not skipped.
      mkdirSync(join(dir, 'mutated'));
      writeFileSync(join(dir, MUTATED), readFileSync(join(repoRoot, 'Powershell', 'AetherV.Agent.ps1'), 'utf8') + '\n$mode = $quiet ? 1 : 2\n');
      files.push(MUTATED);
      mkdirSync(join(dir, 'guarded'));
      writeFileSync(join(dir, guardedException.file), GUARDED);
      files.push(guardedException.file);
      const testList = join(dir, 'list.json');
      writeFileSync(testList, JSON.stringify({ ...list, exceptions: [guardedException, staleException] }));
      return { result: await runGuard(dir, files, testList), files };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return fixtureRun;
}

test('the list: every rule names a known construct, says why, and cites a Microsoft page', () => {
  const fields: Record<string, string[]> = {
    syntax: ['construct'], variable: ['variables'], command: ['command'], parameter: [], parameterValue: ['parameter', 'allowedValues'],
    staticMember: ['type', 'members'], instanceMember: ['members'], type: [],
  };
  const constructs = ['parseError', 'ternary', 'nullCoalescing', 'nullCoalescingAssignment', 'nullConditionalMember', 'nullConditionalIndex',
    'pipelineChain', 'cleanBlock', 'backgroundOperator', 'genericMethodCall', 'unicodeEscape', 'escapeCharacter', 'numericSuffix',
    'binaryLiteral', 'charRange', 'nonAsciiWithoutBom'];
  assert.ok(list.rules.length >= 30, 'the list holds the curated constructs');
  assert.equal(new Set(list.rules.map((r) => r.id)).size, list.rules.length, 'rule ids are unique');
  for (const rule of list.rules) {
    const required = fields[rule.kind];
    assert.ok(required, `${rule.id}: kind ${rule.kind} is one the guard knows`);
    for (const field of required) assert.ok(rule[field] !== undefined, `${rule.id}: ${field} is given`);
    if (rule.kind === 'syntax') assert.ok(constructs.includes(String(rule.construct)), `${rule.id}: construct ${String(rule.construct)} is one the guard checks`);
    if (rule.kind === 'parameter' || rule.kind === 'parameterValue') assert.ok(rule.command ?? rule.commands, `${rule.id}: names its command`);
    if (rule.kind === 'parameter') assert.ok(rule.parameter ?? rule.parameters, `${rule.id}: names its parameter`);
    if (rule.kind === 'type') assert.ok(rule.type ?? rule.namespace, `${rule.id}: names a type or namespace`);
    assert.match(rule.source, /^https:\/\/(learn\.microsoft\.com\/|github\.com\/(PowerShell|MicrosoftDocs)\/)/, `${rule.id}: the source is Microsoft's`);
    assert.ok(rule.why.length >= 20, `${rule.id}: says why`);
    assert.ok(rule.since.length > 0 && rule.example.endsWith('\n'), `${rule.id}: has since and an example`);
  }
});

test('the list: exceptions name a rule, a file and its exact line, and the reason it is safe', () => {
  for (const e of list.exceptions) {
    assert.ok(list.rules.some((r) => r.id === e.rule), `exception rule ${e.rule} exists`);
    assert.ok(e.text.trim() === e.text && e.text.length > 0, 'text is the trimmed line');
    assert.ok(e.reason.length >= 20, `a reason is given for ${e.file}: ${e.text}`);
  }
});

test('every shipped script is valid Windows PowerShell 5.1 (findings name file:line and why)', async () => {
  const files = await shippedScripts();
  assert.ok(files.includes('Powershell/AetherV.Agent.ps1'), 'the host agent is checked');
  assert.ok(files.some((f) => f.startsWith('Powershell/bootstrap/')), 'the bootstrap scripts are checked');
  assert.ok(files.some((f) => f.startsWith('Windows/Modules/') && f.endsWith('.psm1')), 'the guest agent modules are checked');
  assert.ok(!files.some((f) => /(^|\/)tests?\/|\.Tests\.ps1$/i.test(f)), 'tests are not shipped, so not checked');
  const result = await runGuard(repoRoot, files);
  assert.deepEqual(result.files, files, 'the guard checked exactly the shipped scripts');
  assert.deepEqual(result.findings.map(describe), [], 'constructs Windows PowerShell 5.1 / .NET Framework 4.8 lacks');
  assert.deepEqual(result.staleExceptions, [], 'exceptions that no longer match a finding must be removed');
});

test("every rule finds its own example, and nothing but it", async () => {
  const { result } = await runFixtures();
  list.rules.forEach((rule, index) => {
    const found = result.findings.filter((f) => f.file === exampleFile(rule, index));
    assert.ok(found.length >= 1, `${rule.id}: its example is found:\n${rule.example}`);
    assert.deepEqual([...new Set(found.map((f) => f.rule))], [rule.id], `${rule.id}: its example triggers only that rule`);
  });
});

test('each fixture in fixtures/ps7-only is found as the rule its first line expects', async () => {
  const { result, files } = await runFixtures();
  const fixtures = files.filter((f) => f.startsWith('ps7-only/'));
  assert.ok(fixtures.length >= 15, 'the hand-written fixtures are there');
  for (const file of fixtures) {
    const expected = /^# expect: (.+)$/m.exec(readFileSync(join(here, 'fixtures', file), 'utf8'))?.[1];
    assert.ok(expected && list.rules.some((r) => r.id === expected), `${file} names an existing rule`);
    const found = result.findings.filter((f) => f.file === file);
    assert.ok(found.length >= 1, `${file}: ${expected} is found`);
    assert.deepEqual([...new Set(found.map((f) => f.rule))], [expected], `${file}: only ${expected} is found`);
  }
});

test('valid 5.1 code, look-alikes included, has no finding', async () => {
  const { result, files } = await runFixtures();
  const valid = files.filter((f) => f.startsWith('ps51-valid/'));
  assert.ok(valid.length >= 1);
  assert.deepEqual(result.findings.filter((f) => valid.includes(f.file)).map(describe), []);
});

test('an exception excuses exactly its line; one that matches nothing is reported stale', async () => {
  const { result } = await runFixtures();
  assert.deepEqual(result.excepted.map((f) => [f.file, f.rule, f.text]), [[guardedException.file, guardedException.rule, guardedException.text]]);
  assert.deepEqual(result.findings.filter((f) => f.file === guardedException.file), [], 'the guarded call has no other finding');
  assert.deepEqual(result.staleExceptions, [staleException]);
});

test('a shipped script with one PowerShell 7 line added is refused; without the exceptions, the lines they excuse are found', async () => {
  const { result } = await runFixtures();
  const found = result.findings.filter((f) => f.file === MUTATED);
  // Without the repository's exceptions, the lines they excuse are findings again.
  const excused = list.exceptions.filter((e) => e.file === 'Powershell/AetherV.Agent.ps1').map((e) => e.rule);
  assert.deepEqual(found.map((f) => f.rule).sort(), [...excused, 'ternary'].sort());
  assert.equal(found.find((f) => f.rule === 'ternary')?.text, '$mode = $quiet ? 1 : 2');
});
