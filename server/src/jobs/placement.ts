/**
 * Where a new VM goes (DESIGN §6): the named host, or the connected node of the named cluster
 * with the most free memory that has the golden image and every switch the VM's adapters
 * need. Pure: it decides from host records, so it is tested without hosts; the provisioning
 * job then checks the chosen host live (name unique, agent current).
 */
import { AppError } from '../errors.ts';
import type { HostRecord } from '../inventory/model.ts';
import type { Image, StoragePath } from '../agent/types.generated.ts';

export interface PlacementRequest {
  /** Exactly one of host and cluster. */
  host?: string;
  cluster?: string;
  image: string;
  switches: string[];
  /** A clustered VM must live on shared storage (Cluster Shared Volume). */
  clustered: boolean;
  /** Memory the VM needs to start (when it is to be started). */
  memoryBytes?: number;
}

export interface Placement {
  host: string;
  cluster: string | null;
  /** Root the VM folder goes under (vm.create `path`). */
  storagePath: string;
  image: Image;
}

const lower = (s: string) => s.toLowerCase();

/** Why a host cannot take the VM, or null when it can. */
export function unsuitable(host: HostRecord, request: PlacementRequest): string | null {
  // Distinguish a host not observed yet (the orchestrator is starting) from one that stopped answering.
  if (!host.lastSuccess && !host.lastError) return 'not observed yet (the orchestrator is still starting: try again in a moment)';
  if (!host.connected || !host.facts) return `not connected${host.lastError ? ` (${host.lastError.message})` : ''}`;
  const facts = host.facts;
  if (!facts.images.some((i) => lower(i.name) === lower(request.image))) return `no golden image ${request.image}`;
  const missing = request.switches.filter((s) => !facts.switches.some((w) => lower(w.name) === lower(s)));
  if (missing.length > 0) return `no switch ${missing.join(', ')}`;
  if (request.clustered && !host.cluster) return 'not a cluster node (the VM is to be clustered)';
  if (request.memoryBytes !== undefined && facts.memoryFreeBytes < request.memoryBytes) {
    return `${Math.floor(facts.memoryFreeBytes / 2 ** 20)} MiB free, the VM needs ${Math.ceil(request.memoryBytes / 2 ** 20)} MiB`;
  }
  if (!chooseStorage(facts.storagePaths, request.clustered)) return request.clustered ? 'no shared cluster storage' : 'no storage path';
  return null;
}

/** Clustered VMs on shared storage; others on local storage when there is any; the most free space wins. */
export function chooseStorage(paths: StoragePath[], clustered: boolean): StoragePath | undefined {
  const eligible = clustered ? paths.filter((p) => p.shared) : paths.filter((p) => !p.shared).length > 0 ? paths.filter((p) => !p.shared) : paths;
  return [...eligible].sort((a, b) => b.freeBytes - a.freeBytes)[0];
}

export function place(hosts: HostRecord[], request: PlacementRequest): Placement {
  let candidates: HostRecord[];
  if (request.host !== undefined) {
    const host = hosts.find((h) => lower(h.name) === lower(request.host!));
    if (!host) throw new AppError('NOT_FOUND', `no host named ${request.host}`);
    candidates = [host];
  } else if (request.cluster !== undefined) {
    candidates = hosts.filter((h) => h.cluster !== null && lower(h.cluster) === lower(request.cluster!));
    if (candidates.length === 0) throw new AppError('NOT_FOUND', `no cluster named ${request.cluster}`);
  } else {
    throw new AppError('VALIDATION_FAILED', 'give a host or a cluster');
  }
  const reasons: string[] = [];
  const fit = candidates.filter((h) => {
    const why = unsuitable(h, request);
    if (why) reasons.push(`${h.name}: ${why}`);
    return why === null;
  });
  fit.sort((a, b) => (b.facts!.memoryFreeBytes - a.facts!.memoryFreeBytes) || a.name.localeCompare(b.name));
  const chosen = fit[0];
  if (!chosen) {
    const where = request.host !== undefined ? `host ${request.host}` : `cluster ${request.cluster}`;
    throw new AppError('PLACEMENT_FAILED', `${where} cannot take this VM: ${reasons.join('; ')}`, { details: { reasons } });
  }
  const facts = chosen.facts!;
  return {
    host: chosen.name,
    cluster: chosen.cluster,
    storagePath: chooseStorage(facts.storagePaths, request.clustered)!.path,
    image: facts.images.find((i) => lower(i.name) === lower(request.image))!,
  };
}
