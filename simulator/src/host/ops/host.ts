/** host.info and inventory.collect. */
import { hostView, vmView } from '../views.ts';
import type { OpContext, OpParams } from './context.ts';

export async function hostInfo(ctx: OpContext): Promise<Record<string, unknown>> {
  await ctx.sleep(100);
  return hostView(ctx.host, ctx.installDirectory);
}

export async function inventoryCollect(ctx: OpContext, params: OpParams): Promise<Record<string, unknown>> {
  const wanted = params.vmIds as string[] | undefined;
  // Real inventories take longer the more VMs there are (CIM queries per VM class).
  await ctx.sleep(300 + 20 * (wanted ? wanted.length : ctx.host.vms.size));
  const now = Date.now();
  const result: Record<string, unknown> = { host: hostView(ctx.host, ctx.installDirectory), warnings: [] };
  if (wanted) {
    const found = wanted.map((id) => ctx.host.vms.get(id.toLowerCase()));
    result.vms = found.flatMap((vm) => (vm ? [vmView(ctx.host, vm, now)] : []));
    result.notFound = wanted.filter((_, i) => !found[i]);
  } else {
    result.vms = [...ctx.host.vms.values()].map((vm) => vmView(ctx.host, vm, now));
  }
  return result;
}
