/**
 * The host agent's envelope (DESIGN §3, Schemas/agent/envelope.*.json), checked on the real
 * Powershell/AetherV.Agent.ps1 run as a host runs it — `pwsh -NoLogo -NoProfile -NonInteractive
 * -ExecutionPolicy Bypass -File …` with the request on stdin — and judged on the raw bytes of its
 * stdout: UTF-8 without BOM, NDJSON, exactly one result line and it last, exit code 0 whatever
 * happened. Powershell/tests/EnvelopeModules (a canned Hyper-V with one VM) comes first on
 * PSModulePath, the signature stubs after it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createContractValidator } from '../../server/src/agent/validation.ts';
import { loadAgentErrorCodes, loadSchemaFiles, SCHEMA_ID_BASE } from '../../server/src/agent/schema-files.ts';
import { pwshPath, repoRoot } from '../support/pester.ts';

const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: unknown) => void;
const AGENT = join(repoRoot, 'Powershell', 'AetherV.Agent.ps1');
const VM_ID = '6b0e8f2a-4c1d-4e5f-9a7b-3c2d1e0f9a8b';
const NAME = 'Prüf-VM-日本';

interface AgentRun { exitCode: number | null; stdout: Buffer; stderr: string; lines: Record<string, unknown>[]; result: Record<string, unknown> }

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
for (const file of await loadSchemaFiles()) ajv.addSchema(file.schema);
const validResultLine = ajv.getSchema(`${SCHEMA_ID_BASE}agent/envelope.result.json`);
const validLogLine = ajv.getSchema(`${SCHEMA_ID_BASE}agent/envelope.log.json`);
const contract = await createContractValidator();
const errorCodes = await loadAgentErrorCodes();

function runAgent(stdin: Buffer | string, vmState = 'Off', hyperV = true, agent = AGENT): Promise<AgentRun> {
  const modules = hyperV ? [join(repoRoot, 'Powershell', 'tests', 'EnvelopeModules'), join(repoRoot, 'simulator', 'powershell', 'Modules')] : [];
  modules.push(process.env.PSModulePath ?? '');
  const child = spawn(pwshPath(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', agent], {
    env: { ...process.env, PSModulePath: modules.join(delimiter), AETHERV_ENVELOPE_VM_ID: VM_ID, AETHERV_ENVELOPE_VM_STATE: vmState },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const stdout = Buffer.concat(out);
      try {
        resolve(checkEnvelope({ exitCode, stdout, stderr }));
      } catch (error) {
        reject(error instanceof Error ? new Error(`${error.message}\nstdout: ${stdout.toString('utf8')}\nstderr: ${stderr}`) : error);
      }
    });
  });
}

/** What every run must satisfy, success or failure. */
function checkEnvelope(run: { exitCode: number | null; stdout: Buffer; stderr: string }): AgentRun {
  assert.equal(run.exitCode, 0, 'the agent exits 0 once it wrote its result line');
  assert.notDeepEqual([...run.stdout.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'stdout starts with a UTF-8 BOM');
  const text = new TextDecoder('utf-8', { fatal: true }).decode(run.stdout);
  assert.ok(text.endsWith('\n'), 'the last line ends with \\n');
  assert.ok(!text.includes('\r'), 'lines end with \\n only');
  const lines = text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const results = lines.filter((line) => line.type === 'result');
  assert.equal(results.length, 1, 'exactly one result line');
  const result = lines[lines.length - 1];
  assert.equal(result?.type, 'result', 'the result line is the last line');
  assert.ok(validResultLine?.(result), `result line against envelope.result.json: ${JSON.stringify(validResultLine?.errors)}`);
  for (const line of lines.slice(0, -1)) assert.ok(validLogLine?.(line), `log line against envelope.log.json: ${JSON.stringify(line)}`);
  if (result.ok === false) {
    const error = result.error as { code: string; retryable: boolean };
    assert.ok(error.code in errorCodes, `${error.code} is in error-codes.json`);
    assert.equal(error.retryable, errorCodes[error.code]?.retryable, `retryable of ${error.code}`);
  }
  return { ...run, lines, result };
}

function request(operation: string, params: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ protocol: 'aetherv.agent/1', id: randomUUID(), operation, params, deadlineSeconds: 60, ...extra });
}

function errorOf(run: AgentRun): { code: string; message: string; retryable: boolean; details?: Record<string, unknown> } {
  assert.equal(run.result.ok, false, `expected a failure, got ${JSON.stringify(run.result)}`);
  return run.result.error as { code: string; message: string; retryable: boolean };
}

test('a non-ASCII name and notes round-trip through stdin and stdout as UTF-8 bytes', async () => {
  const body = request('vm.update', { vmId: VM_ID, name: NAME, notes: `${NAME} — ünïcødé ✓` });
  const run = await runAgent(Buffer.from(body, 'utf8'));
  assert.equal(run.result.ok, true, JSON.stringify(run.result));
  assert.equal(run.result.id, JSON.parse(body).id);
  const vm = (run.result.result as { vm: { name: string; notes: string } }).vm;
  assert.equal(vm.name, NAME);
  assert.equal(vm.notes, `${NAME} — ünïcødé ✓`);
  assert.ok(run.stdout.includes(Buffer.from(`"name":"${NAME}"`, 'utf8')), 'the name is written as raw UTF-8, not escaped or re-encoded');
  assert.deepEqual(contract.resultProblems('vm.update', run.result.result), []);
});

test("a cmdlet's warning and host output become log lines, and the result still comes last", async () => {
  const run = await runAgent(request('vm.update', { vmId: VM_ID, notes: 'chatty' }));
  assert.equal(run.result.ok, true, JSON.stringify(run.result));
  assert.ok(run.lines.some((line) => line.type === 'log' && line.level === 'warn' && line.message === 'The VM configuration version is old.'));
  assert.ok(run.lines.some((line) => line.type === 'log' && line.level === 'info' && line.message === 'Setting notes.'));
});

test('a request with a UTF-8 BOM is read like one without', async () => {
  const run = await runAgent(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(request('vm.update', { vmId: VM_ID, notes: NAME }), 'utf8')]));
  assert.equal(run.result.ok, true, JSON.stringify(run.result));
});

for (const [name, stdin, code] of [
  ['empty stdin', '', 'INVALID_REQUEST'],
  ['whitespace only', '  \n\t', 'INVALID_REQUEST'],
  ['bad JSON', '{"protocol":"aetherv.agent/1",', 'INVALID_REQUEST'],
  ['a JSON array', JSON.stringify([JSON.parse(request('vm.update', { vmId: VM_ID }))]), 'INVALID_REQUEST'],
  ['an id that is no GUID', request('vm.update', { vmId: VM_ID }, { id: 'r-1' }), 'INVALID_REQUEST'],
  ['an unsupported protocol', request('vm.update', { vmId: VM_ID }, { protocol: 'aetherv.agent/2' }), 'UNSUPPORTED_PROTOCOL'],
  ['an unknown operation', request('vm.explode', {}), 'UNKNOWN_OPERATION'],
  ['an operation outside the dispatch table', request('Invoke-Expression', {}), 'UNKNOWN_OPERATION'],
  ['params that are no object', request('vm.update', [VM_ID]), 'INVALID_PARAMS'],
  ['a missing parameter', request('vm.update', { notes: 'x' }), 'INVALID_PARAMS'],
  ['a deadline out of range', request('vm.update', { vmId: VM_ID }, { deadlineSeconds: 0 }), 'INVALID_REQUEST'],
] as const) {
  test(`${name}: one result line with ${code}`, async () => {
    const run = await runAgent(stdin);
    const error = errorOf(run);
    assert.equal(error.code, code, error.message);
    if (code !== 'INVALID_REQUEST' || name === 'a deadline out of range') assert.match(String(run.result.id), /^[0-9a-f-]{36}$/);
  });
}

test('a VM the host does not have: the non-terminating Get-VM error becomes VM_NOT_FOUND', async () => {
  const run = await runAgent(request('vm.update', { vmId: randomUUID(), notes: 'x' }));
  assert.equal(errorOf(run).code, 'VM_NOT_FOUND');
});

test("a cmdlet's non-terminating PermissionDenied error becomes ACCESS_DENIED", async () => {
  const run = await runAgent(request('vm.update', { vmId: VM_ID, notes: 'deny' }));
  const error = errorOf(run);
  assert.equal(error.code, 'ACCESS_DENIED');
  assert.match(error.message, /permission/);
});

test('a host without the Hyper-V module answers HYPERV_UNAVAILABLE, retryable', async () => {
  const run = await runAgent(request('vm.update', { vmId: VM_ID, notes: 'x' }), 'Off', false);
  const error = errorOf(run);
  assert.equal(error.code, 'HYPERV_UNAVAILABLE');
  assert.equal(error.retryable, true);
});

test('a wait that outlives deadlineSeconds ends in DEADLINE_EXCEEDED, retryable, soon after the deadline', async () => {
  const started = Date.now();
  const run = await runAgent(request('vm.delete', { vmId: VM_ID }, { deadlineSeconds: 1 }), 'Saved');
  const error = errorOf(run);
  assert.equal(error.code, 'DEADLINE_EXCEEDED');
  assert.equal(error.retryable, true);
  assert.ok(run.lines.some((line) => line.type === 'log' && String(line.message).includes('before deletion')), 'progress was logged before the result');
  assert.ok(Date.now() - started < 20_000, 'returned soon after its one-second deadline');
});

test('an install missing one of its files still answers with one INTERNAL result line and exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-agent-'));
  try {
    for (const file of readdirSync(join(repoRoot, 'Powershell')).filter((f) => f.endsWith('.ps1') && f !== 'AetherV.Deadline.ps1')) {
      copyFileSync(join(repoRoot, 'Powershell', file), join(dir, file));
    }
    const body = request('vm.update', { vmId: VM_ID, notes: 'x' });
    const run = await runAgent(body, 'Off', true, join(dir, 'AetherV.Agent.ps1'));
    const error = errorOf(run);
    assert.equal(error.code, 'INTERNAL');
    assert.match(error.message, /AetherV\.Deadline\.ps1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
