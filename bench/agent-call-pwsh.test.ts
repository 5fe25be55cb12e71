// agent-call-pwsh at its smoke size (3 calls): it completes, and measures what it claims — calls
// the real pwsh agent answered (the benchmark refuses any other), then the TypeScript agent on
// the same endpoint. No timing target here: targets are the benchmark's, run by `npm run bench`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measure, SMOKE_CALLS } from './agent-call-pwsh.ts';
import { findBenchmark } from './registry.ts';
import { pwshPath } from '../test/support/pester.ts';

test('agent-call-pwsh runs at its smoke size against the real pwsh agent', { timeout: 240_000 }, async () => {
  pwshPath(); // a missing pwsh fails, with how to build it
  assert.ok(findBenchmark('agent-call-pwsh'), 'registered');
  const rows = await measure(SMOKE_CALLS);
  const value = (metric: string) => {
    const row = rows.find((r) => r.metric === metric);
    assert.ok(row, `row ${metric} in ${JSON.stringify(rows)}`);
    return row.value;
  };
  assert.equal(value('winrm host.info, real pwsh agent: calls'), SMOKE_CALLS);
  const p50 = value('winrm host.info, real pwsh agent: p50');
  const p95 = value('winrm host.info, real pwsh agent: p95');
  const ts = value('winrm host.info, TypeScript agent: p50');
  assert.ok(p50 > 0 && p95 >= p50, `p50 ${p50} ms, p95 ${p95} ms`);
  assert.ok(ts > 0, `TypeScript p50 ${ts} ms`);
  // A process start per call against an in-process answer: the two paths really differ.
  assert.ok(p50 > ts, `real pwsh p50 ${p50} ms above the TypeScript agent's ${ts} ms`);
  assert.ok(value('real pwsh p50 / TypeScript p50') >= 1, 'the ratio is of those two medians');
  for (const r of rows.filter((x) => x.target)) assert.ok(Number.isFinite(r.value), `${r.metric} measured`);
});
