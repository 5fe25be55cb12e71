/** Timing and memory helpers shared by the benchmarks. Every loop is bounded in count and time. */
import { performance } from 'node:perf_hooks';

export const MIB = 2 ** 20;

/** Nearest-rank percentile of samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface Bounds {
  /** At most this many calls. */
  count: number;
  /** Stop starting new calls after this long. */
  maxMs: number;
}

export interface CallTimings {
  /** Milliseconds per completed call. */
  latencies: number[];
  /** Wall time of the whole run, ms. */
  wallMs: number;
  callsPerSecond: number;
}

/**
 * Runs `call` up to `bounds.count` times with `concurrency` workers (1 = sequential) and
 * times each call. `wrap` lets the caller put each call behind a limiter: a call's latency is
 * measured inside it (the service time), throughput over the whole run.
 */
export async function timeCalls(
  bounds: Bounds,
  call: (index: number) => Promise<unknown>,
  options: { concurrency?: number; wrap?: <T>(work: () => Promise<T>) => Promise<T> } = {},
): Promise<CallTimings> {
  const concurrency = options.concurrency ?? 1;
  const wrap = options.wrap ?? (<T>(work: () => Promise<T>) => work());
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + bounds.maxMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bounds.count && performance.now() < deadline) {
      const index = next++;
      await wrap(async () => {
        if (performance.now() >= deadline) return; // queued behind a limiter past the time bound
        const t0 = performance.now();
        await call(index);
        latencies.push(performance.now() - t0);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  return { latencies, wallMs, callsPerSecond: latencies.length / (wallMs / 1000) };
}

/** Runs `work` once and returns its duration in ms with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await work();
  return { ms: performance.now() - t0, result };
}

/** A full collection when the process runs with --expose-gc (the runner starts benchmarks so). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) { gc(); gc(); }
}

/** Heap in use after a collection, bytes. */
export function settledHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
