/** kvp.get (guest→host items), kvp.set and kvp.remove (host→guest External pool items). */
import { AgentFailure } from '../failure.ts';
import { DURATIONS } from '../runtime.ts';
import { requireVm, type OpContext, type OpParams } from './context.ts';

const KEY_BYTES = 512;
const VALUE_BYTES = 2048;

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
  for (const { key, value } of items) {
    if (Buffer.byteLength(key, 'utf8') >= KEY_BYTES) throw new AgentFailure('INVALID_PARAMS', `KVP key '${key.slice(0, 40)}…' exceeds ${KEY_BYTES - 1} bytes.`);
    if (Buffer.byteLength(value, 'utf8') > VALUE_BYTES) throw new AgentFailure('INVALID_PARAMS', `The value of KVP key '${key}' exceeds ${VALUE_BYTES} bytes.`);
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
