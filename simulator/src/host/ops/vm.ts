/** vm.create (RegisterVM.ps1), vm.update and vm.delete. */
import { AgentFailure, invalidState } from '../failure.ts';
import { joinPath, normalize } from '../files.ts';
import { GIB, MIB, type MemoryModel, type VmModel } from '../model.ts';
import { DURATIONS } from '../runtime.ts';
import { newVmModel } from '../seed.ts';
import { vmView } from '../views.ts';
import { requireVm, type OpContext, type OpParams } from './context.ts';
import { attachedTo, lookupFile, storeFor } from './paths.ts';
import { removeIsoCopy } from './image.ts';
import { stopGuest } from './power.ts';
import { refuseIdentifierTwin } from './disk.ts';

const DEFAULT_MINIMUM = 512 * MIB;
const DEFAULT_MAXIMUM = 1024 * GIB;

function memoryFrom(req: { startupBytes: number; dynamic: boolean; minimumBytes?: number; maximumBytes?: number }): MemoryModel {
  const m: MemoryModel = req.dynamic
    ? { startupBytes: req.startupBytes, dynamic: true, minimumBytes: req.minimumBytes ?? Math.min(DEFAULT_MINIMUM, req.startupBytes), maximumBytes: req.maximumBytes ?? DEFAULT_MAXIMUM }
    : { startupBytes: req.startupBytes, dynamic: false, minimumBytes: req.startupBytes, maximumBytes: req.startupBytes };
  checkMemory(m);
  return m;
}

function checkMemory(m: MemoryModel): void {
  if (m.minimumBytes > m.startupBytes || m.startupBytes > m.maximumBytes) {
    throw new AgentFailure('INVALID_PARAMS', 'Dynamic memory needs minimumBytes <= startupBytes <= maximumBytes.', { memory: m });
  }
}

function nameTaken(ctx: OpContext, name: string, except?: VmModel): VmModel | undefined {
  const key = name.toLowerCase();
  return [...ctx.host.vms.values()].find((v) => v !== except && v.name.toLowerCase() === key);
}

export async function vmCreate(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const name = p.name as string;
  const existing = nameTaken(ctx, name);
  if (existing) throw new AgentFailure('VM_NAME_CONFLICT', `A virtual machine named '${name}' already exists on ${ctx.host.name}.`, { vmId: existing.id });
  if (p.cpuCount > ctx.host.logicalProcessors) throw new AgentFailure('INVALID_PARAMS', `cpuCount ${p.cpuCount} exceeds the host's ${ctx.host.logicalProcessors} logical processors.`);
  if (p.generation === 1 && p.secureBootTemplate !== undefined) throw new AgentFailure('INVALID_PARAMS', 'secureBootTemplate applies to generation 2 VMs only.');
  const memory = memoryFrom(p.memory);
  const folder = joinPath(p.path as string, name);
  const store = storeFor(ctx.host, folder);
  if ([...ctx.host.vms.values()].some((v) => normalize(v.configurationPath) === normalize(folder))) {
    throw new AgentFailure('FILE_EXISTS', `The folder '${folder}' already holds a virtual machine.`, { path: folder });
  }
  const bootDisk = p.bootDiskPath as string | undefined;
  if (bootDisk !== undefined) {
    if (lookupFile(ctx.host, bootDisk)?.kind !== 'vhdx') throw new AgentFailure('PATH_NOT_FOUND', `Cannot find path '${bootDisk}' because it does not exist.`, { path: bootDisk });
    const owner = attachedTo(ctx.host, bootDisk);
    if (owner) throw new AgentFailure('FILE_IN_USE', `'${bootDisk}' is attached to virtual machine '${owner.name}'.`, { path: bootDisk, vmId: owner.id });
    refuseIdentifierTwin(ctx, bootDisk);
  }
  ctx.log('info', `Creating virtual machine ${name} in ${folder}`);
  await ctx.sleep(DURATIONS.createVm);
  const again = nameTaken(ctx, name);
  if (again) throw new AgentFailure('VM_NAME_CONFLICT', `A virtual machine named '${name}' already exists on ${ctx.host.name}.`, { vmId: again.id });
  store.mkdirp(folder);
  const vm = newVmModel(ctx.rt.rng, {
    name,
    generation: p.generation,
    cpuCount: p.cpuCount,
    memory,
    configurationPath: folder,
    notes: p.notes ?? '',
    creationTime: Date.now(),
    secureBootTemplate: p.generation === 2 ? (p.secureBootTemplate ?? 'MicrosoftWindows') : 'Disabled',
  });
  if (bootDisk !== undefined) vm.disks.push({ path: bootDisk, controllerType: p.generation === 2 ? 'SCSI' : 'IDE', controllerNumber: 0, controllerLocation: 0 });
  ctx.host.vms.set(vm.id, vm);
  return { vm: vmView(ctx.host, vm) };
}

export async function vmUpdate(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  if (vm.busy) throw invalidState('Changing the virtual machine', vm.state);
  const sameName = p.name !== undefined ? nameTaken(ctx, p.name, vm) : undefined;
  if (sameName) throw new AgentFailure('VM_NAME_CONFLICT', `A virtual machine named '${p.name as string}' already exists on ${ctx.host.name}.`, { vmId: sameName.id });
  if (p.cpuCount !== undefined) {
    if (p.cpuCount !== vm.cpuCount && vm.state !== 'Off') throw invalidState('Changing the processor count', vm.state);
    if (p.cpuCount > ctx.host.logicalProcessors) throw new AgentFailure('INVALID_PARAMS', `cpuCount ${p.cpuCount} exceeds the host's ${ctx.host.logicalProcessors} logical processors.`);
  }
  let memory: MemoryModel | undefined;
  if (p.memory !== undefined) {
    const m = p.memory as Partial<MemoryModel>;
    const dynamic = m.dynamic ?? vm.memory.dynamic;
    const startupBytes = m.startupBytes ?? vm.memory.startupBytes;
    memory = dynamic
      ? { startupBytes, dynamic, minimumBytes: m.minimumBytes ?? (vm.memory.dynamic ? vm.memory.minimumBytes : Math.min(DEFAULT_MINIMUM, startupBytes)), maximumBytes: m.maximumBytes ?? (vm.memory.dynamic ? vm.memory.maximumBytes : DEFAULT_MAXIMUM) }
      : { startupBytes, dynamic, minimumBytes: startupBytes, maximumBytes: startupBytes };
    checkMemory(memory);
    // Only the dynamic range of a dynamic-memory VM may change while it runs; values passed along
    // unchanged are no change (as the agent applies only what differs).
    const changes = dynamic !== vm.memory.dynamic || startupBytes !== vm.memory.startupBytes;
    if (changes && vm.state !== 'Off') throw invalidState('Changing startup memory or the dynamic memory setting', vm.state);
  }
  await ctx.sleep(DURATIONS.small);
  if (p.name !== undefined) vm.name = p.name;
  if (p.cpuCount !== undefined) vm.cpuCount = p.cpuCount;
  if (memory) vm.memory = memory;
  if (p.notes !== undefined) vm.notes = p.notes;
  return { vm: vmView(ctx.host, vm) };
}

export async function vmDelete(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  if (vm.busy) throw invalidState('Removing the virtual machine', vm.state);
  // Remove-VM takes a Saved VM as it is (its saved state goes with it); a running one needs force.
  if (vm.state !== 'Off' && vm.state !== 'Saved') {
    if (!p.force) throw invalidState('Removing the virtual machine (pass force to turn it off first)', vm.state);
    ctx.log('warn', `Turning off ${vm.name} before removal`);
    await ctx.sleep(DURATIONS.turnOff);
  }
  stopGuest(vm);
  vm.state = 'Off';
  const clusterRoleRemoved = vm.clustered;
  const deletedFiles: string[] = [];
  if (vm.dvd?.path && removeIsoCopy(ctx.host, vm, vm.dvd.path)) deletedFiles.push(vm.dvd.path);
  await ctx.sleep(DURATIONS.small);
  ctx.host.vms.delete(vm.id);
  if (p.deleteDisks) deletedFiles.push(...deleteVmFiles(ctx, vm));
  return { vmId: vm.id, name: vm.name, deletedFiles, clusterRoleRemoved };
}

/**
 * As the agent does: each disk and its differencing parents inside the VM folder (never a golden
 * image elsewhere, never a file another VM uses), then the folder once no file remains in it.
 */
function deleteVmFiles(ctx: OpContext, vm: VmModel): string[] {
  const folder = vm.configurationPath;
  const inFolder = (path: string): boolean => normalize(path).startsWith(normalize(folder) + '\\');
  const deleted: string[] = [];
  for (const d of vm.disks) {
    let path: string | null = d.path;
    for (let depth = 0; path !== null && depth < 64; depth++) {
      const file = lookupFile(ctx.host, path);
      if (attachedTo(ctx.host, path)) ctx.log('warn', `Keeping ${path}: another VM uses it.`);
      else if (storeFor(ctx.host, path).delete(path)) deleted.push(path);
      const parent: string | null = file?.kind === 'vhdx' ? file.parentPath : null;
      path = parent !== null && inFolder(parent) ? parent : null;
    }
  }
  const store = storeFor(ctx.host, folder);
  const remaining = store.list(folder).length;
  if (!store.exists(folder)) return deleted;
  if (remaining === 0) {
    store.removeTree(folder);
    deleted.push(folder);
  } else {
    ctx.log('warn', `Keeping ${folder}: ${remaining} file(s) remain in it.`);
  }
  return deleted;
}
