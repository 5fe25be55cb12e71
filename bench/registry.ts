/** Every benchmark by name, in the order `npm run bench` runs them. */
import type { BenchmarkEntry } from './types.ts';

export const BENCHMARKS: readonly BenchmarkEntry[] = [
  {
    name: 'simulator-scale',
    description: '1,000 simulated hosts x 50 VMs in one process: start time and resident memory',
    load: async () => (await import('./simulator-scale.ts')).run,
  },
  {
    name: 'winrm-hot-path',
    description: 'hostname over a reused WinRM shell: 200 sequential and 200 concurrent calls (HOST_CONCURRENCY 4)',
    load: async () => (await import('./winrm-hot-path.ts')).run,
  },
  {
    name: 'agent-call',
    description: 'AgentClient host.info and inventory.collect round trips over WinRM and SSH',
    load: async () => (await import('./agent-call.ts')).run,
  },
  {
    name: 'agent-call-pwsh',
    description: 'one host.info through the real pwsh agent (process start, script and module loads) over WinRM, p50/p95; TypeScript agent p50 beside it',
    load: async () => (await import('./agent-call-pwsh.ts')).run,
  },
  {
    name: 'inventory-refresh',
    description: 'a full InventoryService refresh of 100 hosts x 50 VMs (agent preinstalled)',
    load: async () => (await import('./inventory-refresh.ts')).run,
  },
  {
    name: 'iso-build',
    description: 'buildArtifacts into a temporary folder: cold build and no-change rebuild',
    load: async () => (await import('./iso-build.ts')).run,
  },
  {
    name: 'kvp-seal',
    description: 'provisioning payloadItems (validate, seal, chunk) of a 10 KB guest configuration',
    load: async () => (await import('./kvp-seal.ts')).run,
  },
];

export function findBenchmark(name: string): BenchmarkEntry | undefined {
  return BENCHMARKS.find((b) => b.name === name);
}
