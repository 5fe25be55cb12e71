/** image.copy (CopyImage.ps1), iso.attach (CopyProvisioningISO.ps1) and iso.detach. */
import { randomUUID } from 'node:crypto';
import { AgentFailure, invalidState } from '../failure.ts';
import { baseName, joinPath, normalize } from '../files.ts';
import { GIB, type HostModel, type VmModel } from '../model.ts';
import { DURATIONS } from '../runtime.ts';
import { vmView } from '../views.ts';
import { requireVm, type OpContext, type OpParams } from './context.ts';
import { installedFile, lookupFile, storeFor } from './paths.ts';

export async function imageCopy(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const imagePath = joinPath(ctx.host.imagesPath, `${p.image as string}.vhdx`);
  const image = lookupFile(ctx.host, imagePath);
  if (image?.kind !== 'vhdx' || !image.os) {
    const available = storeFor(ctx.host, ctx.host.imagesPath).list(ctx.host.imagesPath).map((f) => baseName(f.path).replace(/\.vhdx$/i, ''));
    throw new AgentFailure('IMAGE_NOT_FOUND', `Golden image '${p.image as string}' was not found in '${ctx.host.imagesPath}'.`, { image: p.image, available });
  }
  const dest = p.destinationPath as string;
  const store = storeFor(ctx.host, dest);
  if (store.exists(dest)) throw new AgentFailure('FILE_EXISTS', `The file '${dest}' already exists.`, { path: dest });
  const differencing = p.mode === 'differencing';
  ctx.log('info', differencing ? `Creating differencing disk of ${baseName(image.path)}` : `Copying ${baseName(image.path)} (${(image.fileSizeBytes / GIB).toFixed(1)} GiB)`);
  await ctx.sleep(differencing ? DURATIONS.differencingCopy : DURATIONS.fullCopyPerGiB * (image.fileSizeBytes / GIB));
  // Re-check after the wait: another call may have created the file meanwhile.
  if (store.exists(dest)) throw new AgentFailure('FILE_EXISTS', `The file '${dest}' already exists.`, { path: dest });
  const file = {
    kind: 'vhdx' as const,
    path: dest,
    sizeBytes: image.sizeBytes,
    fileSizeBytes: differencing ? 4 * 1024 * 1024 : image.fileSizeBytes,
    type: differencing ? ('Differencing' as const) : image.type,
    parentPath: differencing ? image.path : null,
    os: image.os,
    // A byte copy would keep the image's identifier; the agent resets it (Set-VHD
    // -ResetDiskIdentifier), and a new differencing child has its own: every copy is attachable.
    diskIdentifier: randomUUID().toUpperCase(),
  };
  store.put(file);
  return { path: dest, image: p.image, mode: p.mode, sizeBytes: file.sizeBytes, fileSizeBytes: file.fileSizeBytes, type: file.type, parentPath: file.parentPath };
}

/** Where iso.attach copies an installed ISO: next to the VM, so no VM holds the install directory open. */
export function isoCopyPath(vm: VmModel, isoPath: string): string {
  return joinPath(vm.configurationPath, baseName(isoPath));
}

/** Deletes the VM's copy of an installed ISO (iso.detach, vm.delete). */
export function removeIsoCopy(host: HostModel, vm: VmModel, path: string): boolean {
  if (normalize(path) !== normalize(isoCopyPath(vm, path))) return false;
  return storeFor(host, path).delete(path);
}

export async function isoAttach(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const isoPath = p.isoPath as string;
  const installed = installedFile(ctx.host, isoPath);
  if (!installed && lookupFile(ctx.host, isoPath)?.kind !== 'iso') throw new AgentFailure('PATH_NOT_FOUND', `Cannot find path '${isoPath}' because it does not exist.`, { path: isoPath });
  if (!vm.dvd) {
    // A DVD drive cannot be hot-added; changing the media of an existing one can be done any time.
    if (vm.state !== 'Off') throw invalidState('Adding a DVD drive', vm.state);
    if (vm.generation === 2) {
      const used = new Set(vm.disks.filter((d) => d.controllerType === 'SCSI' && d.controllerNumber === 0).map((d) => d.controllerLocation));
      let loc = 0;
      while (used.has(loc)) loc++;
      vm.dvd = { path: null, controllerNumber: 0, controllerLocation: loc };
    } else {
      vm.dvd = { path: null, controllerNumber: 1, controllerLocation: 0 };
    }
  }
  let target = isoPath;
  if (installed) {
    target = isoCopyPath(vm, isoPath);
    ctx.log('info', `Copying ${baseName(isoPath)} next to the VM.`);
    await ctx.sleep(DURATIONS.small);
    storeFor(ctx.host, target).put({ kind: 'iso', path: target, osFamily: /linux/i.test(installed.name) ? 'linux' : 'windows', version: installed.version, sha256: installed.sha256 });
  }
  await ctx.sleep(DURATIONS.small);
  vm.dvd.path = target;
  ctx.log('info', `Attached ${target} to VM ${vm.id}.`);
  return { vm: vmView(ctx.host, vm) };
}

export async function isoDetach(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const isoPath = vm.dvd?.path ?? null;
  await ctx.sleep(DURATIONS.small);
  if (vm.dvd) vm.dvd.path = null;
  if (isoPath !== null) removeIsoCopy(ctx.host, vm, isoPath);
  return { vm: vmView(ctx.host, vm), detached: isoPath !== null, isoPath };
}
