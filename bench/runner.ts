/**
 * The runner's logic, apart from the process it runs in: argument parsing, the verdict of a
 * measurement against its target, the results table and the exit code. run.ts wires these to
 * child processes; bench.test.ts checks them without running a benchmark.
 */
import type { BenchmarkEntry, BenchmarkOutcome, Measurement, Target } from './types.ts';

export const EXIT = { ok: 0, missed: 1, usage: 2 } as const;

export type Command =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'run'; names: string[] }
  | { kind: 'child'; name: string }
  | { kind: 'usage-error'; message: string };

export const USAGE = `usage: npm run bench [-- <name>...]   run all benchmarks, or the named ones
       npm run bench -- --list           list the benchmarks
Each benchmark runs in its own Node.js process. Exit code: 0 every target met, 1 a target missed
or a benchmark failed, 2 a usage error (e.g. an unknown name).`;

export function parseArgs(argv: readonly string[], known: readonly BenchmarkEntry[]): Command {
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--list') return { kind: 'list' };
    if (arg === '--child') {
      const name = argv[i + 1];
      if (!name || !known.some((b) => b.name === name)) return { kind: 'usage-error', message: `--child needs a benchmark name` };
      return { kind: 'child', name };
    }
    if (arg.startsWith('-')) return { kind: 'usage-error', message: `unknown option ${arg}` };
    if (!known.some((b) => b.name === arg)) {
      return { kind: 'usage-error', message: `unknown benchmark ${JSON.stringify(arg)}; known: ${known.map((b) => b.name).join(', ')}` };
    }
    if (!names.includes(arg)) names.push(arg);
  }
  return { kind: 'run', names: names.length > 0 ? names : known.map((b) => b.name) };
}

export function meets(value: number, target: Target): boolean {
  if (!Number.isFinite(value)) return false;
  switch (target.op) {
    case '<=': return value <= target.value;
    case '>=': return value >= target.value;
    case '==': return value === target.value;
  }
}

export type Verdict = 'PASS' | 'FAIL' | 'info';

export function verdict(m: Measurement): Verdict {
  if (!m.target) return 'info';
  return meets(m.value, m.target) ? 'PASS' : 'FAIL';
}

function withUnit(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

const OP_TEXT: Record<Target['op'], string> = { '<=': '<=', '>=': '>=', '==': '=' };

export interface TableRow { benchmark: string; metric: string; value: string; target: string; result: Verdict }

export function tableRows(outcomes: readonly BenchmarkOutcome[]): TableRow[] {
  const rows: TableRow[] = [];
  for (const o of outcomes) {
    for (const m of o.measurements) {
      rows.push({
        benchmark: o.name, metric: m.metric, value: withUnit(m.value, m.unit),
        target: m.target ? `${OP_TEXT[m.target.op]} ${withUnit(m.target.value, m.unit)}` : '',
        result: verdict(m),
      });
    }
    if (o.error !== undefined) rows.push({ benchmark: o.name, metric: 'error', value: o.error, target: 'completes', result: 'FAIL' });
  }
  return rows;
}

export function formatTable(outcomes: readonly BenchmarkOutcome[]): string {
  const header: TableRow = { benchmark: 'benchmark', metric: 'metric', value: 'value', target: 'target', result: 'PASS' };
  const rows = tableRows(outcomes);
  const cells = (r: TableRow, head = false) => [r.benchmark, r.metric, r.value, r.target, head ? 'result' : r.result];
  const all = [cells(header, true), ...rows.map((r) => cells(r))];
  const widths = all[0]!.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** 0 when every benchmark completed and met every target, 1 otherwise. */
export function exitCodeOf(outcomes: readonly BenchmarkOutcome[]): number {
  const failed = outcomes.some((o) => o.error !== undefined || o.measurements.some((m) => verdict(m) === 'FAIL'));
  return failed ? EXIT.missed : EXIT.ok;
}

/** The line a child process prints its measurements on (its other output goes to stderr). */
export const RESULT_PREFIX = 'BENCH-RESULT ';

export function parseChildOutput(stdout: string): Measurement[] | undefined {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) return undefined;
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as Measurement[];
}
