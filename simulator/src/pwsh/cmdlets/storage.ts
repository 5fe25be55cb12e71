/**
 * Disks and DVD drives: Get/Add/Remove-VMHardDiskDrive, Get/New/Resize/Set-VHD and
 * Get/Add/Set-VMDvdDrive, on the files of the host's disk-backed FileStore.
 */
import { randomUUID } from 'node:crypto';
import type { VhdxFile } from '../../host/files.ts';
import { fileStoreFor, findVm, GIB, type DiskModel, type HostModel, type VmModel } from '../../host/model.ts';
import { DURATIONS } from '../../host/runtime.ts';
import { CmdletError, hvError, many, refOf, type Wire } from '../wire.ts';
import { normalisePath, oneVm, opContext, targetVms, type CmdletContext, type CmdletImpl } from './context.ts';
import { dvdObject, hddObject, vhdObject } from './objects.ts';

function pathNotFound(c: CmdletContext, path: string): CmdletError {
  return new CmdletError({ message: `Cannot find path '${path}' because it does not exist.`, category: 'ObjectNotFound', fqid: `ObjectNotFound,Microsoft.Vhd.PowerShell.Cmdlets.${c.cmdlet.replace(/-/g, '')}`, exception: 'ItemNotFound' });
}

function vhdFile(c: CmdletContext, path: string): VhdxFile {
  const f = fileStoreFor(c.host, path).get(path);
  if (f?.kind !== 'vhdx') throw pathNotFound(c, path);
  return f;
}

/** Every VM that sees the file's volume: the host's, and every node's for a Cluster Shared Volume. */
function vmsSeeing(host: HostModel, path: string): VmModel[] {
  const hosts = host.cluster && fileStoreFor(host, path) === host.cluster.shared ? host.cluster.nodes : [host];
  return hosts.flatMap((h) => [...h.vms.values()]);
}

function drivesOf(c: CmdletContext): { vm: VmModel; d: DiskModel }[] {
  const vms = c.params.VM !== undefined || c.params.VMName !== undefined ? targetVms(c) : [oneVm(c)];
  return vms.flatMap((vm) => vm.disks.filter((d) =>
    (c.params.ControllerType === undefined || d.controllerType === c.params.ControllerType) &&
    (c.params.ControllerNumber === undefined || d.controllerNumber === Number(c.params.ControllerNumber)) &&
    (c.params.ControllerLocation === undefined || d.controllerLocation === Number(c.params.ControllerLocation))).map((d) => ({ vm, d })));
}

const getHdd: CmdletImpl = (c) => drivesOf(c).map(({ vm, d }) => hddObject(vm, d));

function driveFromRef(c: CmdletContext, value: unknown): { vm: VmModel; d: DiskModel } {
  const [, vmId, type, n, loc] = (refOf(value) ?? '').split(':');
  const vm = vmId ? findVm(c.host, vmId) : undefined;
  const d = vm?.disks.find((x) => x.controllerType === type && x.controllerNumber === Number(n) && x.controllerLocation === Number(loc));
  if (!vm || !d) throw new CmdletError(hvError(c.cmdlet, 'ObjectNotFound', 'ObjectNotFound', 'The hard disk drive no longer exists.'));
  return { vm, d };
}

async function addHdd(c: CmdletContext): Promise<Wire[]> {
  const vm = oneVm(c);
  const path = normalisePath(c.params.Path);
  const file = vhdFile(c, path);
  const type = (c.params.ControllerType ?? (vm.generation === 2 ? 'SCSI' : 'IDE')) as 'SCSI' | 'IDE';
  const number = Number(c.params.ControllerNumber ?? 0);
  const location = Number(c.params.ControllerLocation ?? vm.disks.filter((d) => d.controllerType === type && d.controllerNumber === number).length);
  if ((type === 'IDE') !== (vm.generation === 1) || (type === 'IDE' && (number > 1 || location > 1)) || (type === 'SCSI' && (number > 0 || location > 63))) {
    throw new CmdletError(hvError(c.cmdlet, 'InvalidParameter', 'InvalidArgument', `Failed to add device 'Synthetic Disk Drive': ${type} controller ${number} location ${location} does not exist on '${vm.name}'.`));
  }
  const dvdTaken = vm.dvd !== null && vm.dvd.controllerNumber === number && vm.dvd.controllerLocation === location && (vm.generation === 2 ? 'SCSI' : 'IDE') === type;
  if (dvdTaken || vm.disks.some((d) => d.controllerType === type && d.controllerNumber === number && d.controllerLocation === location)) {
    throw new CmdletError(hvError(c.cmdlet, 'InvalidParameter', 'InvalidArgument', `Failed to add device 'Synthetic Disk Drive': ${type} ${number}:${location} is in use.`));
  }
  if (type === 'IDE' && vm.state !== 'Off') {
    throw new CmdletError(hvError(c.cmdlet, 'InvalidState', 'InvalidOperation', `Failed to add device 'Synthetic Disk Drive': IDE drives cannot be added while '${vm.name}' is running.`));
  }
  // Hyper-V refuses a disk whose identifier another attached disk on the volume's hosts already has.
  const id = file.diskIdentifier;
  if (id) {
    for (const other of vmsSeeing(c.host, path)) {
      for (const d of other.disks) {
        const f = fileStoreFor(c.host, d.path).get(d.path);
        if (f?.kind === 'vhdx' && f.diskIdentifier === id && d.path.toLowerCase() !== path.toLowerCase()) {
          throw new CmdletError(hvError(c.cmdlet, 'OperationFailed', 'InvalidOperation', `Failed to add device 'Virtual Hard Disk'. The disk '${path}' has the same identifier as the disk '${d.path}' attached to '${other.name}': virtual hard disks with the same identifier cannot be attached at the same time (reset the identifier with Set-VHD -ResetDiskIdentifier).`));
        }
      }
    }
  }
  await opContext(c).sleep(DURATIONS.small);
  const disk: DiskModel = { path, controllerType: type, controllerNumber: number, controllerLocation: location };
  vm.disks.push(disk);
  return c.params.Passthru ? [hddObject(vm, disk)] : [];
}

const removeHdd: CmdletImpl = (c) => {
  for (const v of many(c.params.VMHardDiskDrive)) {
    const { vm, d } = driveFromRef(c, v);
    if (d.controllerType === 'IDE' && vm.state !== 'Off') throw new CmdletError(hvError(c.cmdlet, 'InvalidState', 'InvalidOperation', `Failed to remove device 'Synthetic Disk Drive' while '${vm.name}' is running.`));
    vm.disks = vm.disks.filter((x) => x !== d);
  }
  return [];
};

const getVhd: CmdletImpl = (c) => {
  const out: Wire[] = [];
  for (const p of many(c.params.Path) as string[]) {
    const path = normalisePath(p);
    const f = fileStoreFor(c.host, path).get(path);
    if (f?.kind !== 'vhdx') c.errors.push(pathNotFound(c, path).wire);
    else out.push(vhdObject(c.host, f));
  }
  return out;
};

async function newVhd(c: CmdletContext): Promise<Wire[]> {
  const path = normalisePath(c.params.Path);
  const store = fileStoreFor(c.host, path);
  if (store.exists(path)) throw new CmdletError({ message: `Failed to create the virtual hard disk: the file '${path}' already exists.`, category: 'ResourceExists', fqid: 'ResourceExists,Microsoft.Vhd.PowerShell.Cmdlets.NewVhd' });
  let file: VhdxFile;
  if (c.params.Differencing || c.params.ParentPath !== undefined) {
    const parentPath = normalisePath(c.params.ParentPath);
    const parent = vhdFile(c, parentPath);
    await opContext(c).sleep(DURATIONS.differencingCopy);
    file = { kind: 'vhdx', path, sizeBytes: parent.sizeBytes, fileSizeBytes: 4 * 1024 * 1024, type: 'Differencing', parentPath, os: parent.os, diskIdentifier: randomUUID().toUpperCase() };
  } else {
    const size = Number(c.params.SizeBytes);
    const fixed = Boolean(c.params.Fixed);
    await opContext(c).sleep(fixed ? DURATIONS.newVhdPerGiBFixed * (size / GIB) : DURATIONS.small);
    file = { kind: 'vhdx', path, sizeBytes: size, fileSizeBytes: fixed ? size : 4 * 1024 * 1024, type: fixed ? 'Fixed' : 'Dynamic', parentPath: null, os: null, diskIdentifier: randomUUID().toUpperCase() };
  }
  store.put(file);
  return [vhdObject(c.host, file)];
}

async function resizeVhd(c: CmdletContext): Promise<Wire[]> {
  const path = normalisePath(c.params.Path);
  const f = vhdFile(c, path);
  const size = Number(c.params.SizeBytes);
  if (size < f.sizeBytes) throw new CmdletError({ message: `Failed to resize the virtual disk: shrinking '${path}' is not supported.`, category: 'InvalidArgument', fqid: 'InvalidParameter,Microsoft.Vhd.PowerShell.Cmdlets.ResizeVhd' });
  await opContext(c).sleep(f.type === 'Fixed' ? DURATIONS.newVhdPerGiBFixed * ((size - f.sizeBytes) / GIB) : DURATIONS.small);
  const next: VhdxFile = { ...f, sizeBytes: size, fileSizeBytes: f.type === 'Fixed' ? size : f.fileSizeBytes };
  fileStoreFor(c.host, path).put(next);
  return c.params.Passthru ? [vhdObject(c.host, next)] : [];
}

const setVhd: CmdletImpl = (c) => {
  const path = normalisePath(c.params.Path);
  const f = vhdFile(c, path);
  const next: VhdxFile = { ...f };
  if (c.params.ResetDiskIdentifier) next.diskIdentifier = randomUUID().toUpperCase();
  if (c.params.ParentPath !== undefined) next.parentPath = normalisePath(c.params.ParentPath);
  fileStoreFor(c.host, path).put(next);
  return c.params.Passthru ? [vhdObject(c.host, next)] : [];
};

const getDvd: CmdletImpl = (c) => targetVms(c).flatMap((vm) => dvdObject(vm));

function isoExists(c: CmdletContext, path: string): void {
  if (!fileStoreFor(c.host, path).exists(path)) {
    throw new CmdletError(hvError(c.cmdlet, 'ObjectNotFound', 'ObjectNotFound', `Failed to add device 'Virtual CD/DVD Disk': the file '${path}' does not exist.`));
  }
}

const addDvd: CmdletImpl = (c) => {
  const vm = oneVm(c);
  if (vm.state !== 'Off') throw new CmdletError(hvError(c.cmdlet, 'InvalidState', 'InvalidOperation', `Failed to add device 'Synthetic DVD Drive': the virtual machine '${vm.name}' is not Off.`));
  const path = c.params.Path === undefined || c.params.Path === null ? null : normalisePath(c.params.Path);
  if (path !== null) isoExists(c, path);
  if (vm.generation === 2) {
    const used = new Set(vm.disks.filter((d) => d.controllerType === 'SCSI').map((d) => d.controllerLocation));
    let loc = 0;
    while (used.has(loc)) loc++;
    vm.dvd = { path, controllerNumber: 0, controllerLocation: loc };
  } else {
    vm.dvd = { path, controllerNumber: 1, controllerLocation: 0 };
  }
  return c.params.Passthru ? dvdObject(vm) : [];
};

const setDvd: CmdletImpl = (c) => {
  const drives = c.params.VMDvdDrive !== undefined ? many(c.params.VMDvdDrive).map((v) => findVm(c.host, (refOf(v) ?? '').split(':')[1] ?? '')) : targetVms(c);
  for (const vm of drives) {
    if (!vm?.dvd) throw new CmdletError(hvError(c.cmdlet, 'ObjectNotFound', 'ObjectNotFound', 'The DVD drive no longer exists.'));
    const path = c.params.Path === undefined || c.params.Path === null || c.params.Path === '' ? null : normalisePath(c.params.Path);
    if (path !== null) isoExists(c, path);
    vm.dvd.path = path;
  }
  return [];
};

export const STORAGE_CMDLETS: Record<string, CmdletImpl> = {
  'Get-VMHardDiskDrive': getHdd,
  'Add-VMHardDiskDrive': addHdd,
  'Remove-VMHardDiskDrive': removeHdd,
  'Get-VHD': getVhd,
  'New-VHD': newVhd,
  'Resize-VHD': resizeVhd,
  'Set-VHD': setVhd,
  'Get-VMDvdDrive': getDvd,
  'Add-VMDvdDrive': addDvd,
  'Set-VMDvdDrive': setDvd,
};
