/**
 * agent-call-pwsh: what one agent call costs when the host runs the real agent — a simulated
 * host in powershell mode, so each call starts the real pwsh, loads AetherV.Agent.ps1, its
 * modules and the Hyper-V shims, and answers host.info. Typed AgentClient calls over WinRM
 * (HTTPS, Basic) on one warm shell, as in production; then, for information, the TypeScript
 * agent on the same host and endpoint, and the ratio of the two medians. A resident agent (the
 * next performance issue) must beat these numbers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentClient } from '../server/src/agent/client.ts';
import { TransportPool } from '../server/src/remoting/pool.ts';
import { DEFAULT_SSH, DEFAULT_WINRM } from '../server/src/remoting/settings.ts';
import { REPOSITORY_ROOT } from '../server/src/version.ts';
import { startSimulator } from '../simulator/src/index.ts';
import { agentArtifacts } from '../simulator/src/pwsh/testing.ts';
import { percentile, round, timeCalls } from './measure.ts';
import type { Measurement } from './types.ts';

const CALLS = 30;
/** `npm test` runs this many (bench/agent-call-pwsh.test.ts): it must complete, not be fast. */
export const SMOKE_CALLS = 3;
const TYPESCRIPT_CALLS = 50;
const MAX_MS = 300_000;

/**
 * About three times the median measured on the 2-core development machine (docs/benchmarks.md:
 * p50 1.6 s, p95 1.9 s at load average 1 to 4); p95 gets more room, as a process start's tail
 * follows the machine's load (at a load average of 27 the median was 21 s: no target holds there).
 */
const TARGET_MS = { p50: 5_000, p95: 8_000 } as const;

export async function measure(calls: number): Promise<Measurement[]> {
  const version = readFileSync(join(REPOSITORY_ROOT, 'version'), 'utf8').trim();
  const sim = await startSimulator({
    hosts: 1, vmsPerHost: 2, timeScale: 0, agent: 'powershell', preinstallAgentFrom: agentArtifacts(version),
    ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 },
  });
  const row = sim.hosts[0]!;
  const pool = new TransportPool({
    transport: 'winrm', connectTimeoutMs: 5_000, ssh: { ...DEFAULT_SSH },
    winrm: { ...DEFAULT_WINRM, auth: 'basic', useTls: true, port: row.winrmHttpsPort, username: sim.credentials.username, password: sim.credentials.password, caFile: sim.credentials.caFile, delegate: false },
  }, { resolveAddress: () => row.address });
  const client = new AgentClient({ transports: pool, retry: { retries: 0 } });
  try {
    // Connects and warms the shell; and proves who answers: the real agent reports the
    // PowerShell that runs it (pwsh 7), the TypeScript agent Windows PowerShell 5.1.
    const info = await client.hostInfo(row.name);
    if (info.agentVersion !== version) throw new Error(`agent ${info.agentVersion} answered, expected ${version}`);
    if (!info.psVersion.startsWith('7.')) throw new Error(`host.info came from PowerShell ${info.psVersion}, not the real pwsh`);
    const pwsh = await timeCalls({ count: calls, maxMs: MAX_MS }, () => client.hostInfo(row.name));

    sim.fleet.host(row.name)!.setAgent('typescript');
    const ts = await client.hostInfo(row.name);
    if (ts.psVersion.startsWith('7.')) throw new Error('the TypeScript agent did not answer after setAgent');
    const typescript = await timeCalls({ count: TYPESCRIPT_CALLS, maxMs: 30_000 }, () => client.hostInfo(row.name));

    const p50 = percentile(pwsh.latencies, 50);
    const tsP50 = percentile(typescript.latencies, 50);
    return [
      { metric: 'winrm host.info, real pwsh agent: calls', value: pwsh.latencies.length, unit: '', target: { op: '==', value: calls } },
      { metric: 'winrm host.info, real pwsh agent: p50', value: round(p50, 0), unit: 'ms', target: { op: '<=', value: TARGET_MS.p50 } },
      { metric: 'winrm host.info, real pwsh agent: p95', value: round(percentile(pwsh.latencies, 95), 0), unit: 'ms', target: { op: '<=', value: TARGET_MS.p95 } },
      { metric: 'winrm host.info, TypeScript agent: p50', value: round(tsP50, 2), unit: 'ms' },
      { metric: 'real pwsh p50 / TypeScript p50', value: round(p50 / tsP50, 0), unit: '' },
    ];
  } finally {
    await pool.close();
    await sim.stop();
  }
}

export function run(): Promise<Measurement[]> {
  return measure(CALLS);
}
