/**
 * What Hyper-V accepts as a KVP item, read from Schemas/agent/common.json (kvpKey, kvpValue) so
 * the simulator, the agent and the server share one number. Hyper-V carries a value as UTF-16 in
 * a 2,048-byte field that ends with a NUL (Msvm_KvpExchangeDataItem.Data is MAXLEN(1024)), a name
 * in 512 bytes: so at most 1,023 and 255 UTF-16 code units. JSON Schema's maxLength counts code
 * points, which is fewer for characters outside the BMP, so the count here is JavaScript's
 * `length` — UTF-16 code units, as PowerShell's `$s.Length` and AddKvpItems count them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMAS_DIR } from './schemas.ts';

const defs = (JSON.parse(readFileSync(join(SCHEMAS_DIR, 'agent', 'common.json'), 'utf8')) as { $defs: Record<string, { maxLength?: number }> }).$defs;

function limit(name: string): number {
  const value = defs[name]?.maxLength;
  if (typeof value !== 'number') throw new Error(`Schemas/agent/common.json has no maxLength for ${name}`);
  return value;
}

export const KVP_KEY_MAX_UNITS = limit('kvpKey');
export const KVP_VALUE_MAX_UNITS = limit('kvpValue');

/** Why Hyper-V would refuse this item, or null when it fits. Never quotes the value (ciphertext). */
export function kvpItemProblem(key: string, value: string): string | null {
  if (key.length > KVP_KEY_MAX_UNITS) return `KVP key '${key.slice(0, 40)}…' has ${key.length} UTF-16 code units; Hyper-V allows ${KVP_KEY_MAX_UNITS}.`;
  if (value.length > KVP_VALUE_MAX_UNITS) return `The value of KVP key '${key.slice(0, 80)}' has ${value.length} UTF-16 code units; Hyper-V allows ${KVP_VALUE_MAX_UNITS.toLocaleString('en-US')}.`;
  return null;
}

/** The Hyper-V layer's refusal (AddKvpItems fails): stores call it before keeping an item. */
export function assertKvpItemFits(key: string, value: string): void {
  const problem = kvpItemProblem(key, value);
  if (problem !== null) throw new RangeError(problem);
}
