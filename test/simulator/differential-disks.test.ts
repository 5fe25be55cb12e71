/** The differential test, part 1: host and inventory, vm.create, image.copy, disks (two full copies of one image attached on one host), their error paths and hostile names. Shared machinery and what is normalised: differential.ts. */
import { differentialSuite, GIB, HOSTILE, HOSTILE_NOTES, vmFolder } from './differential.ts';

differentialSuite('golden images, VM creation and disks', [
  { name: 'host.info of a standalone host', host: 'HV03', op: 'host.info', params: () => ({}) },
  {
    name: 'inventory.collect', host: 'HV03', op: 'inventory.collect', params: () => ({}),
    save: (r, v) => {
      const vms = r.vms as { vmId: string; name: string; state: string }[];
      v.running = vms.find((x) => x.state === 'Running')?.vmId ?? '';
      v.runningName = vms.find((x) => x.vmId === v.running)?.name ?? '';
    },
  },
  { name: 'inventory.collect of some VMs, one unknown', host: 'HV03', op: 'inventory.collect', params: (v) => ({ vmIds: [v.running, '6b0f5a2e-1c1d-4e0e-9a43-8c3f9d2b7a11'] }) },
  {
    name: 'vm.create with a hostile name and notes', host: 'HV03', op: 'vm.create',
    params: () => ({ name: HOSTILE, path: 'C:\\Hyper-V', generation: 2, cpuCount: 2, memory: { startupBytes: 2 * GIB, dynamic: false }, secureBootTemplate: 'MicrosoftUEFICertificateAuthority', notes: HOSTILE_NOTES }),
    save: (r, v) => { v.vm = r.vm.vmId; },
  },
  { name: 'vm.create of a name in use', host: 'HV03', op: 'vm.create', params: () => ({ name: HOSTILE.toUpperCase(), path: 'C:\\Hyper-V', generation: 2, cpuCount: 1, memory: { startupBytes: GIB, dynamic: false } }) },
  { name: 'vm.create with more CPUs than the host has', host: 'HV03', op: 'vm.create', params: () => ({ name: 'too-many-cpus', path: 'C:\\Hyper-V', generation: 2, cpuCount: 240, memory: { startupBytes: GIB, dynamic: false } }) },
  { name: 'image.copy full', host: 'HV03', op: 'image.copy', params: () => ({ image: 'Ubuntu-24.04', destinationPath: `${vmFolder(HOSTILE)}\\boot.vhdx`, mode: 'full' }) },
  { name: 'image.copy onto an existing file', host: 'HV03', op: 'image.copy', params: () => ({ image: 'Ubuntu-24.04', destinationPath: `${vmFolder(HOSTILE)}\\boot.vhdx`, mode: 'full' }) },
  { name: 'image.copy of an unknown image', host: 'HV03', op: 'image.copy', params: () => ({ image: 'No-Such-Image', destinationPath: 'C:\\Hyper-V\\x\\x.vhdx', mode: 'full' }) },
  { name: 'image.copy differencing', host: 'HV03', op: 'image.copy', params: () => ({ image: 'Debian-12', destinationPath: 'C:\\Hyper-V\\diff\\child.vhdx', mode: 'differencing' }) },
  {
    name: 'disk.create of the copied boot disk', host: 'HV03', op: 'disk.create', params: (v) => ({ vmId: v.vm, path: `${vmFolder(HOSTILE)}\\boot.vhdx` }),
    save: (r, v) => { v.bootDisk = r.disk.diskId; },
  },
  {
    name: 'vm.create of a second VM from the same image', host: 'HV03', op: 'vm.create',
    params: () => ({ name: 'twin', path: 'C:\\Hyper-V', generation: 2, cpuCount: 1, memory: { startupBytes: GIB, dynamic: false } }),
    save: (r, v) => { v.twin = r.vm.vmId; },
  },
  { name: 'image.copy full of the same golden image again', host: 'HV03', op: 'image.copy', params: () => ({ image: 'Ubuntu-24.04', destinationPath: `${vmFolder('twin')}\\boot.vhdx`, mode: 'full' }) },
  // Hyper-V refuses a second disk with the identifier of an attached one: the copy must have been given its own.
  { name: 'disk.create of the second full copy', host: 'HV03', op: 'disk.create', params: (v) => ({ vmId: v.twin, path: `${vmFolder('twin')}\\boot.vhdx` }) },
  {
    name: 'disk.create of a new disk', host: 'HV03', op: 'disk.create', params: (v) => ({ vmId: v.vm, path: `${vmFolder(HOSTILE)}\\data.vhdx`, newDisk: { sizeBytes: 10 * GIB, type: 'Dynamic' } }),
    save: (r, v) => { v.dataDisk = r.disk.diskId; },
  },
  { name: 'disk.create onto an existing file', host: 'HV03', op: 'disk.create', params: (v) => ({ vmId: v.vm, path: `${vmFolder(HOSTILE)}\\data.vhdx`, newDisk: { sizeBytes: GIB, type: 'Dynamic' } }) },
  { name: 'disk.create of a disk another VM uses', host: 'HV03', op: 'disk.create', params: (v) => ({ vmId: v.running, path: `${vmFolder(HOSTILE)}\\boot.vhdx` }) },
  { name: 'disk.update (expand)', host: 'HV03', op: 'disk.update', params: (v) => ({ vmId: v.vm, diskId: v.dataDisk, sizeBytes: 20 * GIB }) },
  { name: 'disk.update (shrink)', host: 'HV03', op: 'disk.update', params: (v) => ({ vmId: v.vm, diskId: v.dataDisk, sizeBytes: GIB }) },
  { name: 'disk.delete with its file', host: 'HV03', op: 'disk.delete', params: (v) => ({ vmId: v.vm, diskId: v.dataDisk, deleteFile: true }) },
  { name: 'vm.delete with its disks', host: 'HV03', op: 'vm.delete', params: (v) => ({ vmId: v.vm, deleteDisks: true }) },
  { name: 'vm.power of a VM that is gone', host: 'HV03', op: 'vm.power', params: (v) => ({ vmId: v.vm, action: 'start' }) },
]);
