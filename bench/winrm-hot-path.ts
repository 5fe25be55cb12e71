/**
 * winrm-hot-path: `hostname` over a reused WinRM shell (HTTPS, Basic, the simulator's CA) —
 * 200 sequential calls, then 200 concurrent ones behind the agent client's per-host limiter
 * (HOST_CONCURRENCY 4). Each call on a warm shell must cost exactly Command + Send + Receive;
 * the Signal that ends the command follows off the call's path.
 */
import { createTransport } from '../server/src/remoting/index.ts';
import { HostLimiter } from '../server/src/agent/limits.ts';
import { ExchangeLog, settingsFor, startFleetSim, tick } from '../test/remoting/winrm-harness.ts';
import { percentile, round, timeCalls, type CallTimings } from './measure.ts';
import type { Measurement } from './types.ts';

const CALLS = 200;
const MAX_MS = 60_000;
const HOST_CONCURRENCY = 4;
const HOT_PATH = ['Command', 'Send', 'Receive'];

/** The exchanges a call waited for: this call's Command, Send, Receive, and no Signal after its Receive. */
export function onHotPath(actions: readonly string[]): boolean {
  const lastReceive = actions.lastIndexOf('Receive');
  const path = actions.filter((a) => a !== 'Signal');
  return path.join() === HOT_PATH.join() && !actions.slice(lastReceive + 1).includes('Signal');
}

export interface LatencyTargets { p50: number; p95: number; rate: number }

function latencyRows(label: string, t: CallTimings, targets: LatencyTargets): Measurement[] {
  return [
    { metric: `${label}: calls`, value: t.latencies.length, unit: '', target: { op: '==', value: CALLS } },
    { metric: `${label}: p50`, value: round(percentile(t.latencies, 50), 2), unit: 'ms', target: { op: '<=', value: targets.p50 } },
    { metric: `${label}: p95`, value: round(percentile(t.latencies, 95), 2), unit: 'ms', target: { op: '<=', value: targets.p95 } },
    { metric: `${label}: throughput`, value: round(t.callsPerSecond), unit: 'calls/s', target: { op: '>=', value: targets.rate } },
  ];
}

export async function run(): Promise<Measurement[]> {
  const sim = await startFleetSim();
  const log = new ExchangeLog();
  const transport = createTransport(sim.name, settingsFor(sim), { address: sim.address, exchangeCounter: log.counter });
  try {
    const expected = `${sim.name}\r\n`;
    const hostname = async (): Promise<string[]> => {
      const mark = log.mark();
      const result = await transport.run({ command: 'hostname' });
      if (result.exitCode !== 0 || result.stdout !== expected) throw new Error(`hostname answered ${JSON.stringify(result)}`);
      return log.since(mark);
    };
    for (let i = 0; i < 5; i++) await hostname(); // the shell is created and the TLS session is warm
    await tick(100);

    const sequentialStart = log.mark();
    let offPath = 0;
    const sequential = await timeCalls({ count: CALLS, maxMs: MAX_MS }, async () => { if (!onHotPath(await hostname())) offPath++; });
    await tick(100);
    const sequentialActions = log.since(sequentialStart);

    const limiter = new HostLimiter({ perHost: HOST_CONCURRENCY, total: 32 });
    const concurrentStart = log.mark();
    const concurrent = await timeCalls({ count: CALLS, maxMs: MAX_MS }, hostname, {
      concurrency: CALLS, wrap: (work) => limiter.run(sim.name, work),
    });
    await tick(100);
    const concurrentActions = log.since(concurrentStart);

    const perCall = (actions: string[], calls: number) => round(actions.filter((a) => HOT_PATH.includes(a)).length / calls, 3);
    const count = (actions: string[], action: string) => actions.filter((a) => a === action).length;
    return [
      ...latencyRows('sequential', sequential, { p50: 12, p95: 35, rate: 60 }),
      { metric: 'sequential: Command+Send+Receive per call', value: perCall(sequentialActions, sequential.latencies.length), unit: '', target: { op: '==', value: 3 } },
      { metric: 'sequential: calls waiting on more exchanges', value: offPath, unit: '', target: { op: '==', value: 0 } },
      { metric: 'sequential: Signals (off the path)', value: count(sequentialActions, 'Signal'), unit: '', target: { op: '==', value: sequential.latencies.length } },
      ...latencyRows(`concurrent (HOST_CONCURRENCY ${HOST_CONCURRENCY})`, concurrent, { p50: 40, p95: 80, rate: 90 }),
      { metric: 'concurrent: Command+Send+Receive per call', value: perCall(concurrentActions, concurrent.latencies.length), unit: '', target: { op: '==', value: 3 } },
      { metric: 'shells created while measuring', value: count([...sequentialActions, ...concurrentActions], 'Create'), unit: '', target: { op: '==', value: 0 } },
    ];
  } finally {
    await transport.close();
    await sim.stop();
  }
}
