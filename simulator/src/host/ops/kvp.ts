/** kvp.get (guest→host items), kvp.set and kvp.remove (host→guest External pool items). */
import { AgentFailure } from '../failure.ts';
import { DURATIONS } from '../runtime.ts';
import { kvpItemProblem } from '../kvp-limits.ts';
import { requireVm, type OpContext, type OpParams } from './context.ts';

export async function kvpGet(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  await ctx.sleep(DURATIONS.small);
  await vm.kvp.sync?.();
  // Guest exchange items exist only while the VM runs (the KVP integration service answers).
  const all = vm.state === 'Running' ? vm.kvp.guestItems() : new Map<string, string>();
  const keys = p.keys as string[] | undefined;
  const items: Record<string, string> = {};
  for (const [k, v] of all) if (!keys || keys.includes(k)) items[k] = v;
  return { vmId: vm.id, state: vm.state, items };
}

export async function kvpSet(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  const items = p.items as { key: string; value: string }[];
  // Checked before anything is written, as the agent does: a refused call leaves the pool as it was.
  for (const { key, value } of items) {
    const problem = kvpItemProblem(key, value);
    if (problem !== null) throw new AgentFailure('INVALID_PARAMS', problem);
  }
  await ctx.sleep(DURATIONS.small);
  for (const { key, value } of items) vm.kvp.setHost(key, value);
  await vm.kvp.sync?.();
  vm.guest?.notify();
  return { vmId: vm.id, keys: items.map((i) => i.key) };
}

export async function kvpRemove(ctx: OpContext, p: OpParams): Promise<Record<string, unknown>> {
  const vm = requireVm(ctx, p.vmId);
  await ctx.sleep(DURATIONS.small);
  const removed: string[] = [];
  const missing: string[] = [];
  for (const key of p.keys as string[]) (vm.kvp.removeHost(key) ? removed : missing).push(key);
  await vm.kvp.sync?.();
  vm.guest?.notify();
  return { vmId: vm.id, removed, missing };
}
