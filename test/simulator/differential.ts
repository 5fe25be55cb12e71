/**
 * The differential test of issue 11 (differential-*.test.ts declare the steps): two fleets from the same seed, one answering with the
 * TypeScript agent (simulator/src/host/agent.ts), one with the real Powershell/ scripts in the
 * real pwsh, get the same sequence of requests — every operation of Schemas/agent/operations.json,
 * their error paths, hostile strings — through each host's command line (the path the WinRM and
 * SSH endpoints use), and must give the same results and error codes.
 *
 * What is normalised, and why (nothing else may differ):
 * - GUIDs, MAC addresses and DHCP addresses are replaced by their order of first appearance:
 *   both fleets draw them from one PRNG, and the real agent's cmdlets draw in another order
 *   (New-VM makes an adapter the agent then removes), so created objects get other values;
 * - timestamps (`time`, `creationTime`) and `uptimeSeconds`: clock readings;
 * - error messages and log lines: each agent words them itself (codes and retryable must match);
 * - `psVersion`: the real agent reports the PowerShell running it (pwsh 7 here, 5.1 on a host);
 * - golden images' `fileSizeBytes`: the real agent reports the file's length, which on the
 *   simulator's disk is the small descriptor standing in for a multi-GiB VHDX;
 * - the order of golden images and provisioning ISOs: folder listings come in the file
 *   system's order, and Linux's is not NTFS's name order.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFleet, type Fleet } from '../../simulator/src/host/fleet.ts';
import { agentArtifacts, callAny } from '../../simulator/src/pwsh/testing.ts';
import type { AgentOutcome } from '../../simulator/src/host/testing.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Vars = Record<string, string>;

export const GIB = 1024 ** 3;
export const HOSTILE = `o'brien $(whoami) \`t; & echo "x" ünï 漢字 ${'é'.repeat(30)}`.replace(/"/g, "''");
export const HOSTILE_NOTES = `line 1 'quoted' "double"\r\nline 2 $(Remove-Item C:\\ -Recurse) \`n; exit 1 ünï 漢字\n${'n'.repeat(500)}`;

class Aliases {
  private readonly seen = new Map<string, string>();
  private count = 0;
  alias(kind: string, value: string): string {
    const key = `${kind}:${value.toLowerCase()}`;
    let a = this.seen.get(key);
    if (!a) this.seen.set(key, (a = `<${kind}${++this.count}>`));
    return a;
  }
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function normalise(value: Json, aliases: Aliases, key = ''): Json {
  if (Array.isArray(value)) return value.map((v) => normalise(v, aliases, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(value).sort()) {
      if (k === 'message') continue;
      out[k] = normalise(value[k]!, aliases, k);
    }
    return out;
  }
  if (key === 'time' || key === 'creationTime') return '<time>';
  if (key === 'uptimeSeconds') return '<uptime>';
  if (key === 'psVersion') return '<psVersion>';
  if (typeof value !== 'string') return value;
  if (key === 'macAddress') return aliases.alias('mac', value);
  if (/^10\.200\.\d+\.\d+$/.test(value)) return aliases.alias('ip', value);
  return value.replace(GUID, (g) => aliases.alias('guid', g));
}

function comparable(outcome: AgentOutcome, aliases: Aliases): Json {
  if (!outcome.ok) return { ok: false, code: outcome.error?.code ?? null, retryable: outcome.error?.retryable ?? null };
  const result = structuredClone(outcome.result) as Json;
  type Listed = { name: string; fileSizeBytes?: number };
  const r = result as { images?: Listed[]; provisioningIsos?: Listed[]; host?: { images?: Listed[]; provisioningIsos?: Listed[] } };
  for (const h of [r, r.host]) {
    if (!h) continue;
    for (const img of h.images ?? []) img.fileSizeBytes = 0;
    // Folder listings come in the file system's order: NTFS sorts names, the simulator's ext4 or tmpfs does not.
    h.images?.sort((a, b) => a.name.localeCompare(b.name));
    h.provisioningIsos?.sort((a, b) => a.name.localeCompare(b.name));
  }
  return { ok: true, result: normalise(result, aliases) };
}

export interface Step {
  name: string;
  host: string;
  op: string;
  params: (v: Vars) => unknown;
  save?: (result: any, v: Vars) => void; // eslint-disable-line @typescript-eslint/no-explicit-any -- results of any operation
}

export const vmFolder = (name: string): string => `C:\\Hyper-V\\${name}`;

/** Two fleets from one seed, one per agent; every step goes to both, in order, and must answer alike. */
export function differentialSuite(title: string, steps: Step[]): void {
  describe(`differential (TypeScript agent vs real PowerShell agent): ${title}`, { concurrency: 2 }, () => {
    const artifacts = agentArtifacts('9.8.7');
    const make = (agent: 'typescript' | 'powershell'): Fleet => createFleet({ hosts: 3, vmsPerHost: 3, clusters: 1, seed: 42, timeScale: 0, guestMode: 'typescript', preinstallAgentFrom: artifacts, agent });
    let ts: Fleet;
    let ps: Fleet;
    const vars = { ts: {} as Vars, ps: {} as Vars };
    // Per host: the two sequences interleave in any order, so aliases count per host.
    const aliases = new Map<string, Aliases>();
    const aliasesOf = (side: 'ts' | 'ps', host: string): Aliases => {
      let a = aliases.get(`${side}:${host}`);
      if (!a) aliases.set(`${side}:${host}`, (a = new Aliases()));
      return a;
    };

    before(() => {
      ts = make('typescript');
      ps = make('powershell');
    });
    after(async () => {
      await ts.close();
      await ps.close();
    });

    // Each host's steps run in order; the two hosts' sequences run side by side (pwsh starts dominate the time).
    for (const host of [...new Set(steps.map((s) => s.host))]) {
      describe(`on ${host}`, { concurrency: 1 }, () => {
        for (const step of steps.filter((s) => s.host === host)) {
          it(`${step.op}: ${step.name}`, async () => {
            const [a, b] = await Promise.all([
              callAny(ts.host(step.host)!, step.op, step.params(vars.ts)),
              callAny(ps.host(step.host)!, step.op, step.params(vars.ps)),
            ]);
            if (a.ok && step.save) step.save(a.result, vars.ts);
            if (b.ok && step.save) step.save(b.result, vars.ps);
            assert.deepEqual(comparable(b, aliasesOf('ps', host)), comparable(a, aliasesOf('ts', host)), `powershell (actual) vs typescript (expected); powershell error: ${b.error?.message ?? '-'}; typescript error: ${a.error?.message ?? '-'}`);
          });
        }
      });
    }
  });
}
