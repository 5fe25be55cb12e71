/** disk.create, disk.update (expand), disk.delete. */
import { randomUUID } from 'node:crypto';
import { AgentFailure, invalidState } from '../failure.ts';
import { normalize } from '../files.ts';
import { GIB, type DiskModel, type VmModel } from '../model.ts';
import { DURATIONS } from '../runtime.ts';
import { diskId, diskView, vmView } from '../views.ts';
import { requireVm, type OpContext, type OpParams } from './context.ts';
import { attachedTo, lookupFile, storeFor, vmsSharing } from './paths.ts';

function occupied(vm: VmModel, type: 'SCSI' | 'IDE', controller: number): Set<number> {
  const used = new Set(vm.disks.filter((d) => d.controllerType === type && d.controllerNumber === controller).map((d) => d.controllerLocation));
  const dvdType = vm.generation === 2 ? 'SCSI' : 'IDE';
  if (vm.dvd && dvdType === type && vm.dvd.controllerNumber === controller) used.add(vm.dvd.controllerLocation);
  return used;
}

function place(vm: VmModel, p: OpParams): Omit<DiskModel, 'path'> {
  const type: 'SCSI' | 'IDE' = p.controllerType ?? (vm.generation === 2 ? 'SCSI' : 'IDE');
  // error-codes.json: CONTROLLER_LOCATION_IN_USE also covers a controller the generation lacks.
  if (type === 'IDE' && vm.generation === 2) throw new AgentFailure('CONTROLLER_LOCATION_IN_USE', 'Generation 2 virtual machines have no IDE controller.');
  // New-VM gives a generation 2 VM one SCSI controller (0) and a generation 1 VM none.
  if (type === 'SCSI' && vm.generation === 1) throw new AgentFailure('CONTROLLER_LOCATION_IN_USE', 'The virtual machine has no SCSI controller.');
  const maxController = type === 'IDE' ? 1 : 0;
  const maxLocation = type === 'IDE' ? 1 : 63;
  if ((p.controllerNumber ?? 0) > maxController || (p.controllerLocation ?? 0) > maxLocation) {
    throw new AgentFailure('CONTROLLER_LOCATION_IN_USE', `${type} controller ${p.controllerNumber ?? 0} location ${p.controllerLocation ?? 0} does not exist.`);
  }
  if (p.controllerNumber !== undefined && p.controllerLocation !== undefined) {
    if (occupied(vm, type, p.controllerNumber).has(p.controllerLocation)) {
      throw new AgentFailure('CONTROLLER_LOCATION_IN_USE', `${type} controller ${p.controllerNumber} location ${p.controllerLocation} is in use.`);
    }
    return { controllerType: type, controllerNumber: p.controllerNumber, controllerLocation: p.controllerLocation };
  }
  const controllers = p.controllerNumber !== undefined ? [p.controllerNumber as number] : Array.from({ length: maxController + 1 }, (_, i) => i);
  for (const c of controllers) {
    const used = occupied(vm, type, c);
    for (let loc = 0; loc <= maxLocation; loc++) if (!used.has(loc)) return { controllerType: type, controllerNumber: c, controllerLocation: loc };
  }
  throw new AgentFailure('CONTROLLER_LOCATION_IN_USE', `No free ${type} location on ${vm.name}.`);
}

function requireDisk(vm: VmModel, id: string): DiskModel {
  const disk = vm.disks.find((d) => diskId(vm, d).toLowerCase() === id.toLowerCase());
  if (!disk) throw new AgentFailure('DISK_NOT_FOUND', `No hard disk drive '${id}' on virtual machine '${vm.name}'.`, { diskId: id });
  return disk;
}

/**
 * Hyper-V refuses to attach a virtual disk whose identifier (Get-VHD DiskIdentifier) is that of a
 * disk already attached on the host: what a byte copy of an attached disk, or two full copies of
 * one golden image whose identifier was not reset, run into. FILE_IN_USE, as the agent reports it.
 */
export function refuseIdentifierTwin(ctx: OpContext, path: string): void {
  const file = lookupFile(ctx.host, path);
  const id = file?.kind === 'vhdx' ? file.diskIdentifier : undefined;
  if (id === undefined) return;
  for (const vm of ctx.host.vms.values()) {
    for (const disk of vm.disks) {
      if (normalize(disk.path) === normalize(path)) continue;
      const other = lookupFile(ctx.host, disk.path);
      if (other?.kind === 'vhdx' && other.diskIdentifier === id) {
        throw new AgentFailure('FILE_IN_USE', `'${path}' has the disk identifier of '${disk.path}', attached to virtual machine '${vm.name}': reset it with Set-VHD -ResetDiskIdentifier.`, { path, vmId: vm.id });
      }
    }
  }
}

export async function diskCreate(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const path = p.path as string;
  const store = storeFor(ctx.host, path);
  const slot = place(vm, p);
  if (slot.controllerType === 'IDE' && vm.state !== 'Off') throw invalidState('IDE disks cannot be added while the VM runs', vm.state);
  if (p.newDisk) {
    if (store.exists(path)) throw new AgentFailure('FILE_EXISTS', `The file '${path}' already exists.`, { path });
    const size = p.newDisk.sizeBytes as number;
    await ctx.sleep(p.newDisk.type === 'Fixed' ? DURATIONS.newVhdPerGiBFixed * (size / GIB) : DURATIONS.small);
    store.put({ kind: 'vhdx', path, sizeBytes: size, fileSizeBytes: p.newDisk.type === 'Fixed' ? size : 4 * 1024 * 1024, type: p.newDisk.type, parentPath: null, os: null, diskIdentifier: randomUUID().toUpperCase() });
  } else {
    if (lookupFile(ctx.host, path)?.kind !== 'vhdx') throw new AgentFailure('PATH_NOT_FOUND', `Cannot find path '${path}' because it does not exist.`, { path });
    const owner = attachedTo(ctx.host, path);
    if (owner) throw new AgentFailure('FILE_IN_USE', `'${path}' is attached to virtual machine '${owner.name}'.`, { path, vmId: owner.id });
    refuseIdentifierTwin(ctx, path);
    await ctx.sleep(DURATIONS.small);
  }
  const disk: DiskModel = { path, ...slot };
  vm.disks.push(disk);
  return { vm: vmView(ctx.host, vm), disk: diskView(ctx.host, vm, disk) };
}

export async function diskUpdate(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const disk = requireDisk(vm, p.diskId);
  const file = lookupFile(ctx.host, disk.path);
  if (file?.kind !== 'vhdx') throw new AgentFailure('PATH_NOT_FOUND', `Cannot find path '${disk.path}' because it does not exist.`, { path: disk.path });
  if (p.sizeBytes < file.sizeBytes) throw new AgentFailure('INVALID_PARAMS', `Shrinking '${disk.path}' from ${file.sizeBytes} to ${p.sizeBytes} bytes is not supported.`, { currentSizeBytes: file.sizeBytes });
  if (disk.controllerType === 'IDE' && vm.state !== 'Off') throw invalidState('Resizing an IDE disk', vm.state);
  await ctx.sleep(file.type === 'Fixed' ? DURATIONS.newVhdPerGiBFixed * ((p.sizeBytes - file.sizeBytes) / GIB) : DURATIONS.small);
  if (file.type === 'Fixed') file.fileSizeBytes = p.sizeBytes;
  file.sizeBytes = p.sizeBytes;
  return { vm: vmView(ctx.host, vm), disk: diskView(ctx.host, vm, disk) };
}

export async function diskDelete(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const disk = requireDisk(vm, p.diskId);
  const id = diskId(vm, disk);
  if (disk.controllerType === 'IDE' && vm.state !== 'Off') throw invalidState('Removing an IDE disk', vm.state);
  if (p.deleteFile) {
    const key = normalize(disk.path);
    const child = vmsSharing(ctx.host, disk.path).flatMap((v) => v.disks).map((d) => lookupFile(ctx.host, d.path)).find((f) => f?.kind === 'vhdx' && f.parentPath !== null && normalize(f.parentPath) === key);
    if (child) throw new AgentFailure('FILE_IN_USE', `'${disk.path}' is the parent of differencing disk '${child.path}'.`, { path: disk.path });
  }
  await ctx.sleep(DURATIONS.small);
  vm.disks = vm.disks.filter((d) => d !== disk);
  const fileDeleted = p.deleteFile === true && storeFor(ctx.host, disk.path).delete(disk.path);
  return { vm: vmView(ctx.host, vm), diskId: id, path: disk.path, fileDeleted };
}
