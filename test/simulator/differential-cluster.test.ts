/** The differential test, part 3: a cluster node (Cluster Shared Volume, cluster roles, shared-storage refusal) and a standalone host's NOT_CLUSTERED, plus unknown disks and adapters. Shared machinery and what is normalised: differential.ts. */
import { differentialSuite, GIB } from './differential.ts';

differentialSuite('cluster roles and missing objects', [
  { name: 'host.info of a cluster node', host: 'HV01', op: 'host.info', params: () => ({}) },
  {
    name: 'inventory.collect', host: 'HV03', op: 'inventory.collect', params: () => ({}),
    save: (r, v) => {
      const vms = r.vms as { vmId: string; name: string; state: string }[];
      v.running = vms.find((x) => x.state === 'Running')?.vmId ?? '';
      v.runningName = vms.find((x) => x.vmId === v.running)?.name ?? '';
    },
  },
  { name: 'cluster.addVm on a standalone host', host: 'HV03', op: 'cluster.addVm', params: (v) => ({ vmId: v.running }) },
  {
    name: 'vm.create on the Cluster Shared Volume', host: 'HV01', op: 'vm.create',
    params: () => ({ name: 'ha-01', path: 'C:\\ClusterStorage\\Volume1', generation: 2, cpuCount: 1, memory: { startupBytes: GIB, dynamic: false } }),
    save: (r, v) => { v.ha = r.vm.vmId; },
  },
  { name: 'cluster.addVm', host: 'HV01', op: 'cluster.addVm', params: (v) => ({ vmId: v.ha, cluster: 'CLU01' }) },
  { name: 'cluster.removeVm', host: 'HV01', op: 'cluster.removeVm', params: (v) => ({ vmId: v.ha }) },
  { name: 'disk.delete of an unknown disk', host: 'HV01', op: 'disk.delete', params: (v) => ({ vmId: v.ha, diskId: `Microsoft:${v.ha!.toUpperCase()}\\00000000-0000-0000-0000-000000000000\\0\\9\\D` }) },
  { name: 'nic.update of an unknown adapter', host: 'HV01', op: 'nic.update', params: (v) => ({ vmId: v.ha, nicId: `Microsoft:${v.ha!.toUpperCase()}\\00000000-0000-0000-0000-000000000000`, name: 'x' }) },
  { name: 'iso.detach of a VM without a DVD drive', host: 'HV01', op: 'iso.detach', params: (v) => ({ vmId: v.ha }) },
  {
    name: 'vm.create on local storage of a cluster node', host: 'HV01', op: 'vm.create',
    params: () => ({ name: 'local-01', path: 'C:\\Hyper-V', generation: 1, cpuCount: 1, memory: { startupBytes: GIB, dynamic: true } }),
    save: (r, v) => { v.local = r.vm.vmId; },
  },
  { name: 'cluster.addVm of a VM on local storage', host: 'HV01', op: 'cluster.addVm', params: (v) => ({ vmId: v.local }) },
]);
