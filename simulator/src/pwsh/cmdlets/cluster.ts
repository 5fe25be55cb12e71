/**
 * FailoverClusters (Get-Cluster, Get-ClusterResource, Get-ClusterParameter, Get-ClusterGroup,
 * Add-ClusterVirtualMachineRole, Remove-ClusterGroup) and Get-Service, which tells the agent
 * whether the cluster service runs. A clustered VM's role is named after the VM, as Failover
 * Cluster Manager names it; its 'Virtual Machine' resource carries the VmID parameter.
 */
import { findVm, type HostModel, type VmModel } from '../../host/model.ts';
import { CmdletError, guid, many, psObject, refOf, type Wire, type WireError } from '../wire.ts';
import { opContext, type CmdletContext, type CmdletImpl } from './context.ts';

const FC = 'Microsoft.FailoverClusters.PowerShell';

function fcError(cmdlet: string, message: string, category = 'ObjectNotFound'): WireError {
  return { message, category, fqid: `${category === 'ObjectNotFound' ? 'ClusterObjectNotFound' : 'InvalidOperation'},${FC}.${cmdlet.replace(/-/g, '')}Command`, exception: 'InvalidOperation' };
}

function cluster(c: CmdletContext): NonNullable<HostModel['cluster']> {
  if (!c.host.cluster) throw new CmdletError(fcError(c.cmdlet, `The cluster service is not running. Make sure that the service is running on all nodes in the cluster.`, 'ConnectionError'));
  return c.host.cluster;
}

/** Clustered VMs of every node, with the node that owns each. */
function roles(c: CmdletContext): { vm: VmModel; owner: HostModel }[] {
  return cluster(c).nodes.flatMap((h) => [...h.vms.values()].filter((vm) => vm.clustered).map((vm) => ({ vm, owner: h })));
}

function groupObject(vm: VmModel, owner: HostModel, clusterName: string): Wire {
  return psObject([`${FC}.ClusterGroup`, `${FC}.ClusterObject`], `cgroup:${vm.id}`, { Name: vm.name, OwnerNode: owner.name, State: vm.state === 'Running' ? 'Online' : 'Offline', GroupType: 'VirtualMachine', Cluster: clusterName });
}

function resourceObject(vm: VmModel, owner: HostModel, clusterName: string): Wire {
  return psObject([`${FC}.ClusterResource`, `${FC}.ClusterObject`], `cres:${vm.id}`, {
    Name: `Virtual Machine ${vm.name}`,
    ResourceType: 'Virtual Machine',
    OwnerGroup: vm.name,
    OwnerNode: owner.name,
    State: vm.state === 'Running' ? 'Online' : 'Offline',
    Cluster: clusterName,
  });
}

function clusteredVm(c: CmdletContext, value: unknown): VmModel | undefined {
  const id = (refOf(value) ?? '').split(':')[1];
  return id ? roles(c).find((r) => r.vm.id === id)?.vm : undefined;
}

const getCluster: CmdletImpl = (c) => {
  const cl = cluster(c);
  return [psObject(`${FC}.Cluster`, `cluster:${cl.name}`, { Name: cl.name, Domain: c.host.domain, Id: guid('5f1c0b43-0c4e-4d55-9a51-2b8c3f1e0001') })];
};

const getClusterResource: CmdletImpl = (c) => {
  const name = cluster(c).name;
  const names = many(c.params.Name) as string[];
  return roles(c).filter(({ vm }) => names.length === 0 || names.some((n) => n.toLowerCase() === `virtual machine ${vm.name}`.toLowerCase()))
    .map(({ vm, owner }) => resourceObject(vm, owner, name));
};

const getClusterParameter: CmdletImpl = (c) => {
  const vm = clusteredVm(c, c.params.InputObject);
  if (!vm) throw new CmdletError(fcError(c.cmdlet, 'The cluster resource could not be found.'));
  const params: Record<string, string> = { VmID: vm.id, VmStoreRootPath: vm.configurationPath, OfflineAction: '1' };
  const wanted = many(c.params.Name) as string[];
  return Object.entries(params).filter(([k]) => wanted.length === 0 || wanted.some((w) => w.toLowerCase() === k.toLowerCase()))
    .map(([k, v]) => psObject(`${FC}.ClusterParameter`, null, { ClusterObject: `Virtual Machine ${vm.name}`, Name: k, IsReadOnly: false, ParameterType: 'String', Value: v }));
};

const getClusterGroup: CmdletImpl = (c) => {
  const name = cluster(c).name;
  const names = many(c.params.Name) as string[];
  return roles(c).filter(({ vm }) => names.length === 0 || names.some((n) => n.toLowerCase() === vm.name.toLowerCase())).map(({ vm, owner }) => groupObject(vm, owner, name));
};

async function addRole(c: CmdletContext): Promise<Wire[]> {
  const cl = cluster(c);
  const id = c.params.VMId !== undefined ? String(c.params.VMId) : (refOf(c.params.VirtualMachine) ?? '').split(':')[1] ?? '';
  const vm = findVm(c.host, id) ?? [...c.host.vms.values()].find((v) => v.name.toLowerCase() === String(c.params.VirtualMachine ?? '').toLowerCase());
  if (!vm) throw new CmdletError(fcError(c.cmdlet, `The virtual machine '${id}' was not found on ${c.host.name}.`));
  if (vm.clustered) throw new CmdletError(fcError(c.cmdlet, `The virtual machine '${vm.name}' is already highly available.`, 'InvalidOperation'));
  await opContext(c).sleep(1200);
  vm.clustered = true;
  return [groupObject(vm, c.host, cl.name)];
}

async function removeGroup(c: CmdletContext): Promise<Wire[]> {
  const names = many(c.params.Name) as string[];
  const hits = roles(c).filter(({ vm }) => names.some((n) => n.toLowerCase() === vm.name.toLowerCase()) || clusteredVm(c, c.params.InputObject) === vm);
  if (hits.length === 0) throw new CmdletError(fcError(c.cmdlet, `The cluster group '${names.join(', ')}' could not be found.`));
  await opContext(c).sleep(600);
  for (const { vm } of hits) vm.clustered = false;
  return [];
}

const getService: CmdletImpl = (c) => {
  const names = many(c.params.Name) as string[];
  const services = [
    { Name: 'vmms', DisplayName: 'Hyper-V Virtual Machine Management', Status: 'Running' },
    { Name: 'WinRM', DisplayName: 'Windows Remote Management (WS-Management)', Status: 'Running' },
    ...(c.host.cluster ? [{ Name: 'ClusSvc', DisplayName: 'Cluster Service', Status: 'Running' }] : []),
  ];
  const out: Wire[] = [];
  for (const n of names.length > 0 ? names : services.map((s) => s.Name)) {
    const s = services.find((x) => x.Name.toLowerCase() === n.toLowerCase());
    if (!s) {
      c.errors.push({ message: `Cannot find any service with service name '${n}'.`, category: 'ObjectNotFound', fqid: 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand', exception: 'InvalidOperation', target: n });
      continue;
    }
    out.push(psObject(['System.ServiceProcess.ServiceController', 'System.ComponentModel.Component'], null, { ...s, ServiceName: s.Name, StartType: 'Automatic', MachineName: '.' }));
  }
  return out;
};

export const CLUSTER_CMDLETS: Record<string, CmdletImpl> = {
  'Get-Cluster': getCluster,
  'Get-ClusterResource': getClusterResource,
  'Get-ClusterParameter': getClusterParameter,
  'Get-ClusterGroup': getClusterGroup,
  'Add-ClusterVirtualMachineRole': addRole,
  'Remove-ClusterGroup': removeGroup,
  'Get-Service': getService,
};
