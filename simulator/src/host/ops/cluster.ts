/** cluster.addVm / cluster.removeVm: the VM as a highly available failover cluster role. */
import { AgentFailure } from '../failure.ts';
import { normalize } from '../files.ts';
import type { HostModel } from '../model.ts';
import { vmView } from '../views.ts';
import { requireVm, type OpContext, type OpParams } from './context.ts';

function requireCluster(host: HostModel, wanted?: string): NonNullable<HostModel['cluster']> {
  if (!host.cluster) throw new AgentFailure('NOT_CLUSTERED', `${host.name} is not a member of a failover cluster.`);
  if (wanted !== undefined && wanted.toLowerCase() !== host.cluster.name.toLowerCase()) {
    throw new AgentFailure('CLUSTER_NOT_FOUND', `${host.name} is a member of cluster '${host.cluster.name}', not '${wanted}'.`, { cluster: host.cluster.name });
  }
  return host.cluster;
}

export async function clusterAddVm(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const cluster = requireCluster(ctx.host, p.cluster);
  const shared = normalize(cluster.sharedStoragePath) + '\\';
  // The DVD's ISO counts too: a node without the file could not start the role.
  const files = [vm.configurationPath, ...vm.disks.map((d) => d.path), ...(vm.dvd?.path ? [vm.dvd.path] : [])];
  const local = files.filter((path) => !normalize(path).startsWith(shared));
  if (local.length > 0) throw new AgentFailure('STORAGE_NOT_SHARED', `VM files are not on shared cluster storage: ${local.join(', ')}.`, { paths: local });
  await ctx.sleep(1200);
  if (!vm.clustered) ctx.log('info', `Added ${vm.name} as a virtual machine role of ${cluster.name}`);
  vm.clustered = true;
  return { vm: vmView(ctx.host, vm), cluster: cluster.name, roleName: vm.name };
}

export async function clusterRemoveVm(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  requireCluster(ctx.host);
  await ctx.sleep(600);
  const roleRemoved = vm.clustered;
  vm.clustered = false;
  return { vm: vmView(ctx.host, vm), roleRemoved };
}
