/**
 * What a benchmark reports: named measurements, each optionally held to a target. A benchmark
 * file exports `run()`; the registry (registry.ts) names it; the runner (runner.ts) judges it.
 */
export type Comparison = '<=' | '>=' | '==';

export interface Target {
  op: Comparison;
  value: number;
}

export interface Measurement {
  metric: string;
  value: number;
  /** 'ms', 's', 'MiB', 'KiB', 'calls/s', 'ops/s', '' (a count). */
  unit: string;
  /** No target: reported for information only. */
  target?: Target;
}

export type BenchmarkRun = () => Promise<Measurement[]>;

export interface BenchmarkEntry {
  name: string;
  description: string;
  /** Imported only when the benchmark runs, so `--list` and the runner's test stay light. */
  load(): Promise<BenchmarkRun>;
}

/** One benchmark's outcome: its measurements, or why it could not measure. */
export interface BenchmarkOutcome {
  name: string;
  measurements: Measurement[];
  error?: string;
  seconds: number;
}
