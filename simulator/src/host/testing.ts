/**
 * Test helpers: run commands on a simulated host as an endpoint would, and call agent operations
 * with every line checked against Schemas/ (request, log and result envelopes, operation result).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatedHost } from './fleet.ts';
import { schemas } from './schemas.ts';

export const AGENT_COMMAND = 'powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:\\Program Files\\Aether-V\\AetherV.Agent.ps1"';

export interface CommandOutcome { code: number; stdout: string; stderr: string }

export async function runCommand(host: SimulatedHost, commandLine: string, stdin = ''): Promise<CommandOutcome> {
  const p = host.commands.spawn(commandLine, { user: 'LAB\\admin', via: 'winrm' });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
  p.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  p.stdin.end(stdin);
  const code = await p.exit;
  return { code, stdout, stderr };
}

export interface AgentOutcome {
  ok: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary result fields
  result: any;
  error: { code: string; message: string; retryable: boolean; details?: Record<string, unknown> } | undefined;
  logs: { level: string; message: string }[];
}

/**
 * Parses and schema-checks the NDJSON an agent call wrote; asserts the one-result-line contract.
 * `lineEnds` 'any' accepts LF too: the real agent in pwsh on Linux ends lines with LF, the
 * TypeScript one always with CRLF, and a differential test reads both with the same checks.
 */
export function parseAgentOutput(operation: string, id: string | null, out: CommandOutcome, lineEnds: 'crlf' | 'any' = 'crlf'): AgentOutcome {
  const v = schemas();
  assert.equal(out.code, 0, `agent exit code (stderr: ${out.stderr})`);
  if (lineEnds === 'crlf') assert.ok(out.stdout.endsWith('\r\n'), 'lines end with CRLF');
  else assert.ok(out.stdout.endsWith('\n'), `output ends with a line end: ${JSON.stringify(out.stdout.slice(-200))} (stderr: ${out.stderr})`);
  assert.ok(!out.stdout.startsWith('\uFEFF'), 'no BOM');
  const lines = out.stdout.split(lineEnds === 'crlf' ? '\r\n' : /\r?\n/).filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines.pop();
  assert.ok(last, 'a result line');
  for (const l of lines) assert.deepEqual(v.check('agent/envelope.log.json', l), [], `log line ${JSON.stringify(l)}`);
  assert.deepEqual(v.check('agent/envelope.result.json', last), [], `result envelope ${JSON.stringify(last)}`);
  assert.equal(last.id, id);
  if (last.ok === true) assert.deepEqual(v.check(`agent/operations/${operation}.result.json`, last.result), [], `${operation} result ${JSON.stringify(last.result)}`);
  else assert.ok(v.errorCodes[(last.error as { code: string }).code], `error code ${JSON.stringify(last.error)} is in error-codes.json`);
  return {
    ok: last.ok === true,
    result: last.result,
    error: last.error as AgentOutcome['error'],
    logs: lines.map((l) => ({ level: String(l.level), message: String(l.message) })),
  };
}

/** Calls one operation through the real agent command line; the request is schema-checked first when `checkRequest`. */
export async function callAgent(host: SimulatedHost, operation: string, params: unknown, options: { deadlineSeconds?: number; checkRequest?: boolean } = {}): Promise<AgentOutcome> {
  const id = randomUUID();
  const request = { protocol: 'aetherv.agent/1', id, operation, params, deadlineSeconds: options.deadlineSeconds ?? 120 };
  if (options.checkRequest !== false) {
    assert.deepEqual(schemas().check('agent/envelope.request.json', request), [], 'request envelope');
    assert.deepEqual(schemas().check(`agent/operations/${operation}.params.json`, params), [], `${operation} params`);
  }
  return parseAgentOutput(operation, id, await runCommand(host, AGENT_COMMAND, JSON.stringify(request)));
}

/** Like callAgent, but fails the test unless the operation succeeded. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary result fields
export async function must(host: SimulatedHost, operation: string, params: unknown): Promise<any> {
  const r = await callAgent(host, operation, params);
  assert.ok(r.ok, `${operation} failed: ${JSON.stringify(r.error)}`);
  return r.result;
}

/** A minimal artifacts/ folder: version, the agent entry script and both provisioning ISOs. */
export function fakeArtifacts(version = '1.2.3'): string {
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-artifacts-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'version'), `${version}\n`);
  writeFileSync(join(dir, 'AetherV.Agent.ps1'), '# the agent\r\n');
  writeFileSync(join(dir, 'LinuxProvisioning.iso'), Buffer.alloc(4096, 1));
  writeFileSync(join(dir, 'WindowsProvisioning.iso'), Buffer.alloc(4096, 2));
  return dir;
}
