/**
 * Test helpers for the powershell agent mode: an artifacts/ folder made of this checkout's real
 * host scripts (what `npm run build:artifacts` puts in scripts/, with small stand-in ISOs), and
 * agent calls whose NDJSON may end lines with LF (the real agent) or CRLF (the TypeScript one).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatedHost } from '../host/fleet.ts';
import { AGENT_COMMAND, parseAgentOutput, runCommand, type AgentOutcome } from '../host/testing.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');

/** version, manifest.json, every Powershell/*.ps1 and bootstrap/*.ps1 (no tests), two small ISOs. */
export function agentArtifacts(version = '9.8.7'): string {
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-pwsh-artifacts-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const files: { name: string; sha256: string; size: number }[] = [];
  const add = (name: string, bytes: Buffer): void => {
    const path = join(dir, ...name.split('/'));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
    files.push({ name, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
  };
  for (const n of readdirSync(join(REPO, 'Powershell')).filter((f) => f.endsWith('.ps1'))) add(n, readFileSync(join(REPO, 'Powershell', n)));
  for (const n of readdirSync(join(REPO, 'Powershell', 'bootstrap')).filter((f) => f.endsWith('.ps1'))) add(`bootstrap/${n}`, readFileSync(join(REPO, 'Powershell', 'bootstrap', n)));
  add('LinuxProvisioning.iso', Buffer.alloc(8192, 7));
  add('WindowsProvisioning.iso', Buffer.alloc(8192, 9));
  writeFileSync(join(dir, 'version'), `${version}\n`);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version, files }, null, 2));
  return dir;
}

/** One agent call through the host's command line, whichever agent answers it. */
export async function callAny(host: SimulatedHost, operation: string, params: unknown, deadlineSeconds = 120): Promise<AgentOutcome> {
  const id = randomUUID();
  const request = { protocol: 'aetherv.agent/1', id, operation, params, deadlineSeconds };
  return parseAgentOutput(operation, id, await runCommand(host, AGENT_COMMAND, JSON.stringify(request)), 'any');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary result fields
export async function mustAny(host: SimulatedHost, operation: string, params: unknown): Promise<any> {
  const r = await callAny(host, operation, params);
  assert.ok(r.ok, `${operation} failed: ${JSON.stringify(r.error)}`);
  return r.result;
}
