/**
 * agent-call: typed AgentClient round trips to the simulated host's agent (preinstalled, this
 * checkout's version) — host.info and inventory.collect, over WinRM (HTTPS, Basic) and over SSH
 * (known_hosts) — with contract validation of params and results, as in production.
 */
import { AgentClient } from '../server/src/agent/client.ts';
import { TransportPool } from '../server/src/remoting/pool.ts';
import { startLab } from '../test/support/lab.ts';
import { percentile, round, timeCalls } from './measure.ts';
import type { Measurement } from './types.ts';

const CALLS = 100;
const MAX_MS = 60_000;

/** Latency targets (ms) per transport: about three times what a loaded 2-core machine measures. */
const TARGET_MS = { winrm: { p50: 15, p95: 30 }, ssh: { p50: 300, p95: 400 } } as const;

export async function run(): Promise<Measurement[]> {
  const lab = await startLab();
  const rows: Measurement[] = [];
  try {
    for (const transport of ['winrm', 'ssh'] as const) {
      const pool = new TransportPool(lab.settings(transport), { resolveAddress: () => lab.address });
      const client = new AgentClient({ transports: pool, retry: { retries: 0 } });
      try {
        const info = await client.hostInfo(lab.host); // connects and warms the shell or session
        if (info.agentVersion !== lab.version) throw new Error(`agent ${info.agentVersion} answered, expected ${lab.version}`);
        const operations = {
          'host.info': async () => { await client.hostInfo(lab.host); },
          'inventory.collect': async () => {
            const inventory = await client.inventoryCollect(lab.host);
            if (inventory.vms.length === 0) throw new Error('inventory.collect returned no VMs');
          },
        };
        for (const [op, call] of Object.entries(operations)) {
          const t = await timeCalls({ count: CALLS, maxMs: MAX_MS }, call);
          const label = `${transport} ${op}`;
          rows.push(
            { metric: `${label}: calls`, value: t.latencies.length, unit: '', target: { op: '==', value: CALLS } },
            { metric: `${label}: p50`, value: round(percentile(t.latencies, 50), 2), unit: 'ms', target: { op: '<=', value: TARGET_MS[transport].p50 } },
            { metric: `${label}: p95`, value: round(percentile(t.latencies, 95), 2), unit: 'ms', target: { op: '<=', value: TARGET_MS[transport].p95 } },
          );
        }
      } finally {
        await pool.close();
      }
    }
    return rows;
  } finally {
    await lab.stop();
  }
}
