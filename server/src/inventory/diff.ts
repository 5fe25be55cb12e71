/**
 * Differences between two observations, as the events subscribers receive (issue 6):
 * host.updated, vm.added, vm.updated (with the changed fields), vm.removed.
 */
import { isDeepStrictEqual } from 'node:util';
import type { HostRecord, VmRecord } from './model.ts';

export interface InventoryChange {
  type: 'host.updated' | 'vm.added' | 'vm.updated' | 'vm.removed';
  data: Record<string, unknown>;
}

/** Fields that change on every poll without meaning anything to an operator. */
const VOLATILE_VM_FIELDS = new Set(['uptimeSeconds', 'lastSeen']);
const VOLATILE_HOST_FIELDS = new Set(['lastSuccess']);

function changedFields<T extends object>(before: T, after: T, ignore: Set<string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !ignore.has(k) && !isDeepStrictEqual((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k])).sort();
}

export function diffHost(before: HostRecord | undefined, after: HostRecord): InventoryChange[] {
  if (before === undefined) return [{ type: 'host.updated', data: { host: after, changed: Object.keys(after).sort() } }];
  const beforeFacts = { ...before, facts: before.facts ? { ...before.facts, time: '', memoryFreeBytes: 0 } : null };
  const afterFacts = { ...after, facts: after.facts ? { ...after.facts, time: '', memoryFreeBytes: 0 } : null };
  const changed = changedFields(beforeFacts, afterFacts, VOLATILE_HOST_FIELDS);
  // Free memory moves constantly; report it only with another change or a large swing (≥ 1 GiB).
  const memorySwing = Math.abs((before.facts?.memoryFreeBytes ?? 0) - (after.facts?.memoryFreeBytes ?? 0)) >= 1024 ** 3;
  if (memorySwing && !changed.includes('facts')) changed.push('facts');
  return changed.length === 0 ? [] : [{ type: 'host.updated', data: { host: after, changed } }];
}

/** VM changes of one host: `before` and `after` hold only that host's VMs. */
export function diffVms(before: VmRecord[], after: VmRecord[]): InventoryChange[] {
  const changes: InventoryChange[] = [];
  const old = new Map(before.map((v) => [v.vmId, v]));
  const seen = new Set<string>();
  for (const vm of after) {
    seen.add(vm.vmId);
    const prev = old.get(vm.vmId);
    if (!prev) {
      changes.push({ type: 'vm.added', data: { vm } });
      continue;
    }
    const changed = changedFields(prev, vm, VOLATILE_VM_FIELDS);
    if (changed.length > 0) {
      const previous = Object.fromEntries(changed.map((k) => [k, (prev as unknown as Record<string, unknown>)[k]]));
      changes.push({ type: 'vm.updated', data: { vm, changed, previous } });
    }
  }
  for (const vm of before) {
    if (!seen.has(vm.vmId)) changes.push({ type: 'vm.removed', data: { vmId: vm.vmId, name: vm.name, host: vm.host } });
  }
  return changes;
}
