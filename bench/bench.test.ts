// The benchmark runner itself (arguments, verdicts, table, exit codes): no benchmark runs here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './registry.ts';
import { EXIT, RESULT_PREFIX, exitCodeOf, formatTable, meets, parseArgs, parseChildOutput, verdict } from './runner.ts';
import { onHotPath } from './winrm-hot-path.ts';
import { percentile } from './measure.ts';
import type { BenchmarkOutcome } from './types.ts';

const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));
const runCli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', RUN, ...args], { encoding: 'utf8', timeout: 20_000 });

test('--list prints every benchmark name; an unknown name exits 2 without running anything', () => {
  const list = runCli('--list');
  assert.equal(list.status, EXIT.ok, list.stderr);
  const names = list.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(names, ['simulator-scale', 'winrm-hot-path', 'agent-call', 'agent-call-pwsh', 'inventory-refresh', 'iso-build', 'kvp-seal']);

  const unknown = runCli('kvp-seal', 'no-such-bench');
  assert.equal(unknown.status, EXIT.usage);
  assert.match(unknown.stderr, /unknown benchmark "no-such-bench"/);
  assert.doesNotMatch(unknown.stderr, /running kvp-seal/);
  assert.equal(unknown.stdout, '');
});

test('arguments: none runs all in order, names run those once each, options are checked', () => {
  assert.deepEqual(parseArgs([], BENCHMARKS), { kind: 'run', names: BENCHMARKS.map((b) => b.name) });
  assert.deepEqual(parseArgs(['kvp-seal', 'iso-build', 'kvp-seal'], BENCHMARKS), { kind: 'run', names: ['kvp-seal', 'iso-build'] });
  assert.deepEqual(parseArgs(['--child', 'iso-build'], BENCHMARKS), { kind: 'child', name: 'iso-build' });
  assert.equal(parseArgs(['--child'], BENCHMARKS).kind, 'usage-error');
  assert.equal(parseArgs(['--child', 'nope'], BENCHMARKS).kind, 'usage-error');
  assert.equal(parseArgs(['--fast'], BENCHMARKS).kind, 'usage-error');
  assert.equal(parseArgs(['iso-build', '--help'], BENCHMARKS).kind, 'help');
});

test('verdicts follow the target comparison; NaN never passes', () => {
  assert.equal(meets(600, { op: '<=', value: 600 }), true);
  assert.equal(meets(601, { op: '<=', value: 600 }), false);
  assert.equal(meets(99, { op: '>=', value: 100 }), false);
  assert.equal(meets(3, { op: '==', value: 3 }), true);
  assert.equal(meets(3.005, { op: '==', value: 3 }), false);
  assert.equal(meets(Number.NaN, { op: '<=', value: 1 }), false);
  assert.equal(verdict({ metric: 'x', value: 1, unit: '' }), 'info');
});

test('the table shows every measurement with its target and result; a missed target or a failed benchmark exits 1', () => {
  const passing: BenchmarkOutcome = {
    name: 'kvp-seal', seconds: 5,
    measurements: [
      { metric: 'payloadItems', value: 4592, unit: 'ops/s', target: { op: '>=', value: 1500 } },
      { metric: 'configuration size', value: 10240, unit: 'bytes' },
    ],
  };
  const missing: BenchmarkOutcome = { name: 'iso-build', seconds: 1, measurements: [{ metric: 'cold build', value: 130.4, unit: 'ms', target: { op: '<=', value: 120 } }] };
  const crashed: BenchmarkOutcome = { name: 'agent-call', seconds: 2, measurements: [], error: 'exited with 1' };

  const table = formatTable([passing, missing, crashed]).split('\n');
  assert.match(table[0]!, /^benchmark\s+metric\s+value\s+target\s+result$/);
  assert.match(table[2]!, /^kvp-seal\s+payloadItems\s+4,592 ops\/s\s+>= 1,500 ops\/s\s+PASS$/);
  assert.match(table[3]!, /^kvp-seal\s+configuration size\s+10,240 bytes\s+info$/);
  assert.match(table[4]!, /^iso-build\s+cold build\s+130 ms\s+<= 120 ms\s+FAIL$/);
  assert.match(table[5]!, /^agent-call\s+error\s+exited with 1\s+completes\s+FAIL$/);
  assert.equal(table.length, 6);

  assert.equal(exitCodeOf([passing]), EXIT.ok);
  assert.equal(exitCodeOf([passing, missing]), EXIT.missed);
  assert.equal(exitCodeOf([passing, crashed]), EXIT.missed);
});

test('a child\'s result line is found after its other output', () => {
  const stdout = `noise\n${RESULT_PREFIX}${JSON.stringify([{ metric: 'm', value: 1, unit: 'ms' }])}\n`;
  assert.deepEqual(parseChildOutput(stdout), [{ metric: 'm', value: 1, unit: 'ms' }]);
  assert.equal(parseChildOutput('no result\n'), undefined);
});

test('helpers: nearest-rank percentiles; the WinRM hot path is Command+Send+Receive with no Signal awaited after it', () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(samples, 50), 50);
  assert.equal(percentile(samples, 95), 95);
  assert.equal(percentile([7], 95), 7);
  assert.equal(onHotPath(['Command', 'Send', 'Receive']), true);
  assert.equal(onHotPath(['Signal', 'Command', 'Send', 'Receive']), true, "the previous call's Signal may land during this one");
  assert.equal(onHotPath(['Command', 'Send', 'Receive', 'Signal']), false, 'a Signal awaited before the call returned');
  assert.equal(onHotPath(['Create', 'Command', 'Send', 'Receive']), false);
  assert.equal(onHotPath(['Command', 'Send', 'Receive', 'Receive']), false);
});
