/** Where a path lives on a simulated host, and the file-level checks several operations share. */
import { AgentFailure } from '../failure.ts';
import { normalize, type FileStore, type SimFile } from '../files.ts';
import { fileStoreFor, type HostModel, type VmModel } from '../model.ts';

/** Simulated hosts have one volume, C:. Other drives and UNC shares do not exist. */
export function storeFor(host: HostModel, path: string): FileStore {
  if (!/^[Cc]:\\/.test(path)) throw new AgentFailure('PATH_NOT_FOUND', `Cannot find path '${path}' because it does not exist.`, { path });
  return fileStoreFor(host, path);
}

export function lookupFile(host: HostModel, path: string): SimFile | undefined {
  return storeFor(host, path).get(path);
}

/** Every VM that can see this file: the host's own, plus every cluster node's for shared storage. */
export function vmsSharing(host: HostModel, path: string): VmModel[] {
  const hosts = host.cluster && fileStoreFor(host, path) === host.cluster.shared ? host.cluster.nodes : [host];
  return hosts.flatMap((h) => [...h.vms.values()]);
}

export function attachedTo(host: HostModel, path: string): VmModel | undefined {
  const key = normalize(path);
  return vmsSharing(host, path).find((vm) => vm.disks.some((d) => normalize(d.path) === key));
}

/** A path inside an agent install directory (provisioning ISOs), if any install holds it. */
export function installedFile(host: HostModel, path: string): { version: string | null; name: string; sha256: string } | undefined {
  const key = normalize(path);
  for (const inst of host.installs.values()) {
    const dir = normalize(inst.directory);
    if (!key.startsWith(dir + '\\')) continue;
    const rel = key.slice(dir.length + 1).replace(/\\/g, '/');
    const f = inst.files.find((x) => x.name.toLowerCase() === rel);
    if (f) return { version: inst.version, name: f.name, sha256: f.sha256 };
  }
  return undefined;
}
