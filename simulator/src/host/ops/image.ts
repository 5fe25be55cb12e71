/** image.copy (CopyImage.ps1), iso.attach (CopyProvisioningISO.ps1) and iso.detach. */
import { AgentFailure, invalidState } from '../failure.ts';
import { baseName, joinPath } from '../files.ts';
import { GIB } from '../model.ts';
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
  };
  store.put(file);
  return { path: dest, image: p.image, mode: p.mode, sizeBytes: file.sizeBytes, fileSizeBytes: file.fileSizeBytes, type: file.type, parentPath: file.parentPath };
}

export async function isoAttach(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const isoPath = p.isoPath as string;
  const known = installedFile(ctx.host, isoPath) ?? (lookupFile(ctx.host, isoPath)?.kind === 'iso' ? {} : undefined);
  if (!known) throw new AgentFailure('PATH_NOT_FOUND', `Cannot find path '${isoPath}' because it does not exist.`, { path: isoPath });
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
  await ctx.sleep(DURATIONS.small);
  vm.dvd.path = isoPath;
  ctx.log('info', `Inserted ${baseName(isoPath)} into ${vm.name}`);
  return { vm: vmView(ctx.host, vm) };
}

export async function isoDetach(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const isoPath = vm.dvd?.path ?? null;
  await ctx.sleep(DURATIONS.small);
  if (vm.dvd) vm.dvd.path = null;
  return { vm: vmView(ctx.host, vm), detached: isoPath !== null, isoPath };
}
