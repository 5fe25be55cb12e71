/**
 * inventory-refresh: a full refresh of 100 simulated hosts x 50 VMs through the orchestrator's
 * own services (InventoryService → AgentClient → TransportPool → WinRM over HTTPS), the agent
 * preinstalled. Cold (connects every host) and warm (reused shells), and the heap the model takes.
 */
import { startTestOrchestrator, testArtifacts } from '../test/support/orchestrator.ts';
import { MIB, round, settledHeap, timed } from './measure.ts';
import type { Measurement } from './types.ts';

const HOSTS = 100;
const VMS_PER_HOST = 50;

export async function run(): Promise<Measurement[]> {
  const artifacts = await testArtifacts();
  const o = await startTestOrchestrator({
    simulator: { hosts: HOSTS, vmsPerHost: VMS_PER_HOST, clusters: 10, seed: 11, timeScale: 0, addressBase: '127.0.62.1', preinstallAgentFrom: artifacts },
  });
  try {
    const inventory = o.services.inventory;
    // One call first, so lazily compiled contract validators do not count as model.
    await o.services.agent.hostInfo(o.sim.hosts[0]!.name);
    await o.services.pool.close();
    const heapBefore = settledHeap();
    const cold = await timed(() => inventory.refreshAll());
    const check = () => {
      const snapshot = inventory.snapshot();
      const connected = snapshot.hosts.filter((h) => h.connected).length;
      if (connected !== HOSTS || snapshot.vms.length !== HOSTS * VMS_PER_HOST) {
        throw new Error(`refresh saw ${connected}/${HOSTS} hosts and ${snapshot.vms.length}/${HOSTS * VMS_PER_HOST} VMs`);
      }
      return snapshot;
    };
    check();
    const warm = await timed(() => inventory.refreshAll());
    const snapshot = check();
    // Connections and shells go; what stays on the heap is the inventory model.
    await o.services.pool.close();
    const modelHeap = settledHeap() - heapBefore;
    return [
      { metric: `cold full refresh (${HOSTS} hosts, ${HOSTS * VMS_PER_HOST} VMs)`, value: round(cold.ms / 1000, 2), unit: 's', target: { op: '<=', value: 6 } },
      { metric: 'warm full refresh (shells reused)', value: round(warm.ms / 1000, 2), unit: 's', target: { op: '<=', value: 3 } },
      { metric: 'model heap', value: round(modelHeap / MIB), unit: 'MiB', target: { op: '<=', value: 48 } },
      { metric: 'snapshot as JSON', value: round(Buffer.byteLength(JSON.stringify(snapshot)) / MIB, 2), unit: 'MiB' },
    ];
  } finally {
    await o.stop();
  }
}
