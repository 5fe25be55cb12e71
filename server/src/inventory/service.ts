/**
 * Keeps the inventory: a full refresh of every host on an interval (in parallel; the agent
 * client bounds concurrency), refreshes of one host or some VMs on demand, a host that stops
 * answering marked disconnected with its VMs kept as stale, and every difference published.
 * Observe → compare → record, like a controller's reconcile loop.
 */
import type { Logger } from 'pino';
import { isAppError } from '../errors.ts';
import type { InventoryCollectParams, InventoryCollectResult } from '../agent/types.generated.ts';
import type { EventBus } from '../events/bus.ts';
import { diffHost, diffVms, type InventoryChange } from './diff.ts';
import type { ClusterRecord, HostRecord, InventorySnapshot, VmRecord } from './model.ts';

/** Where observations come from: the agent client in production. */
export interface InventorySource {
  collect(host: string, params: InventoryCollectParams, correlationId?: string): Promise<InventoryCollectResult>;
}

export interface InventoryServiceOptions {
  hosts: string[];
  source: InventorySource;
  bus: EventBus;
  logger: Logger;
  laboratory: boolean;
  refreshIntervalSeconds: number;
}

export class InventoryService {
  private readonly hosts = new Map<string, HostRecord>();
  private readonly vmsByHost = new Map<string, VmRecord[]>();
  private revision = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly inFlight = new Map<string, Promise<HostRecord>>();
  private completedFullRefreshes = 0;

  constructor(private readonly options: InventoryServiceOptions) {
    for (const name of options.hosts) {
      this.hosts.set(name, { name, cluster: null, connected: false, lastSuccess: null, lastError: null, facts: null, vmCount: 0 });
      this.vmsByHost.set(name, []);
    }
  }

  get fullRefreshes(): number {
    return this.completedFullRefreshes;
  }

  start(): void {
    if (this.timer) return;
    void this.refreshAll();
    this.timer = setInterval(() => void this.refreshAll(), this.options.refreshIntervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One full refresh; concurrent callers share the one in progress. */
  refreshAll(correlationId?: string): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        await Promise.all([...this.hosts.keys()].map((h) => this.refreshHost(h, correlationId)));
        this.completedFullRefreshes++;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Re-reads one host and all its VMs; concurrent callers share the call in flight. */
  refreshHost(host: string, correlationId?: string): Promise<HostRecord> {
    const existing = this.inFlight.get(host);
    if (existing) return existing;
    const run = this.observeHost(host, correlationId).finally(() => this.inFlight.delete(host));
    this.inFlight.set(host, run);
    return run;
  }

  /** Re-reads only the given VMs of a host (after a job step changed them). */
  async refreshVms(host: string, vmIds: string[], correlationId?: string): Promise<void> {
    if (!this.hosts.has(host) || vmIds.length === 0) return;
    const result = await this.options.source.collect(host, { vmIds }, correlationId);
    const now = new Date().toISOString();
    const record = this.hosts.get(host)!;
    const current = this.vmsByHost.get(host) ?? [];
    const fresh = result.vms.map((vm) => this.toVmRecord(vm, host, record.cluster, now));
    const gone = new Set([...(result.notFound ?? []), ...fresh.map((v) => v.vmId)]);
    const next = [...current.filter((v) => !gone.has(v.vmId)), ...fresh].sort(byName);
    this.applyVms(host, next);
  }

  snapshot(): InventorySnapshot {
    const hosts = [...this.hosts.values()];
    const vms = [...this.vmsByHost.values()].flat();
    const clusters = new Map<string, ClusterRecord>();
    for (const h of hosts) {
      if (!h.cluster) continue;
      const c = clusters.get(h.cluster) ?? { name: h.cluster, hosts: [], connectedHosts: 0, vmCount: 0 };
      c.hosts.push(h.name);
      if (h.connected) c.connectedHosts++;
      c.vmCount += h.vmCount;
      clusters.set(h.cluster, c);
    }
    return {
      revision: this.revision,
      generatedAt: new Date().toISOString(),
      laboratory: this.options.laboratory,
      clusters: [...clusters.values()].sort(byName),
      standaloneHosts: hosts.filter((h) => !h.cluster).map((h) => h.name).sort(),
      hosts: hosts.sort(byName),
      vms,
    };
  }

  host(name: string): HostRecord | undefined {
    return this.hosts.get(name);
  }

  hostVms(name: string): VmRecord[] {
    return this.vmsByHost.get(name) ?? [];
  }

  vm(vmId: string): VmRecord | undefined {
    const id = vmId.toLowerCase();
    for (const list of this.vmsByHost.values()) {
      const found = list.find((v) => v.vmId.toLowerCase() === id);
      if (found) return found;
    }
    return undefined;
  }

  private async observeHost(host: string, correlationId?: string): Promise<HostRecord> {
    const before = this.hosts.get(host);
    if (!before) throw new Error(`unknown host ${host}`);
    const now = new Date().toISOString();
    try {
      const result = await this.options.source.collect(host, {}, correlationId);
      const { name: computerName, cluster, ...facts } = result.host;
      const vms = result.vms.map((vm) => this.toVmRecord(vm, host, cluster, now)).sort(byName);
      const after: HostRecord = { name: host, cluster, connected: true, lastSuccess: now, lastError: null, facts: { ...facts, computerName }, vmCount: vms.length };
      if (!before.connected && before.lastError) this.options.logger.info({ host }, 'host reachable again');
      this.applyHost(before, after);
      this.applyVms(host, vms);
      return after;
    } catch (error) {
      const lastError = { code: isAppError(error) ? error.code : 'INTERNAL', message: (error as Error).message, time: now };
      const after: HostRecord = { ...before, connected: false, lastError };
      if (before.connected || !before.lastError) this.options.logger.warn({ host, code: lastError.code }, `host not answering: ${lastError.message}`);
      this.applyHost(before, after);
      // Never drop what we knew: the VMs stay, marked stale with when they were last seen.
      this.applyVms(host, (this.vmsByHost.get(host) ?? []).map((v) => ({ ...v, stale: true })));
      return after;
    }
  }

  private toVmRecord(vm: InventoryCollectResult['vms'][number], host: string, cluster: string | null, now: string): VmRecord {
    return { ...vm, host, cluster, stale: false, lastSeen: now };
  }

  private applyHost(before: HostRecord, after: HostRecord): void {
    this.hosts.set(after.name, after);
    this.publish('hosts', diffHost(before, after));
  }

  private applyVms(host: string, next: VmRecord[]): void {
    const before = this.vmsByHost.get(host) ?? [];
    this.vmsByHost.set(host, next);
    const record = this.hosts.get(host);
    if (record) record.vmCount = next.length;
    this.publish('inventory', diffVms(before, next));
  }

  private publish(topic: string, changes: InventoryChange[]): void {
    if (changes.length === 0) return;
    this.revision++;
    for (const change of changes) this.options.bus.publish(topic, change.type, change.data);
  }
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name.localeCompare(b.name);
}
