/**
 * The inventory model served by the API: clusters, hosts and VMs as last observed. Built from
 * `inventory.collect` results (Schemas/agent), kept in memory, rebuilt from the hosts.
 */
import type { Host as AgentHost, Vm as AgentVm } from '../agent/types.generated.ts';

export interface HostError {
  code: string;
  message: string;
  time: string;
}

export interface HostRecord {
  /** The name the orchestrator uses to reach it (HYPERV_HOSTS entry). */
  name: string;
  cluster: string | null;
  /** false until the first successful refresh, and whenever the last refresh failed. */
  connected: boolean;
  lastSuccess: string | null;
  lastError: HostError | null;
  /** What the host reported on its last successful refresh; null before the first. */
  facts: Omit<AgentHost, 'name' | 'cluster'> & { computerName: string } | null;
  vmCount: number;
}

export interface VmRecord extends AgentVm {
  host: string;
  cluster: string | null;
  /** true when the host stopped answering: the VM is shown as last seen, not dropped. */
  stale: boolean;
  lastSeen: string;
}

export interface ClusterRecord {
  name: string;
  hosts: string[];
  connectedHosts: number;
  vmCount: number;
}

export interface InventorySnapshot {
  /** Increases with every change; the API's ETag. */
  revision: number;
  generatedAt: string;
  laboratory: boolean;
  clusters: ClusterRecord[];
  /** Hosts not in a failover cluster (never grouped into a fake cluster). */
  standaloneHosts: string[];
  hosts: HostRecord[];
  vms: VmRecord[];
}
