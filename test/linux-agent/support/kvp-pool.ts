/**
 * A test stand-in for hv_kvp_daemon's pool files (DESIGN §5): records of a 512-byte key and a
 * 2,048-byte value, UTF-8, NUL-padded. The test plays the host through writeHostItems (pool 0)
 * and reads the guest's answers with readPool (pool 1). Node has no flock, so each write replaces
 * the file atomically by rename (record order kept, a key updated where it stands): a reader that
 * opens the pool afresh, as the agent does, always sees whole records.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export const KEY_FIELD = 512;
export const VALUE_FIELD = 2048;
export const RECORD = KEY_FIELD + VALUE_FIELD;

export function encodeRecord(key: string, value: string): Buffer {
  const k = Buffer.from(key, 'utf8');
  const v = Buffer.from(value, 'utf8');
  if (k.length >= KEY_FIELD || v.length >= VALUE_FIELD) throw new RangeError(`KVP item ${key} does not fit a record`);
  const record = Buffer.alloc(RECORD);
  k.copy(record, 0);
  v.copy(record, KEY_FIELD);
  return record;
}

function field(raw: Buffer): string {
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

/** Every record in file order (duplicates included), so tests can check the agent never duplicates a key. */
export function readRecords(path: string): Array<[string, string]> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: Array<[string, string]> = [];
  for (let at = 0; at + RECORD <= data.length; at += RECORD) {
    records.push([field(data.subarray(at, at + KEY_FIELD)), field(data.subarray(at + KEY_FIELD, at + RECORD))]);
  }
  return records;
}

/** Items of a pool; the first record of a key wins (as the agent reads). */
export function readPool(path: string): Map<string, string> {
  const items = new Map<string, string>();
  for (const [key, value] of readRecords(path)) if (!items.has(key)) items.set(key, value);
  return items;
}

/** Writes items one by one, in order, as the host's kvp.set would. */
export function writeHostItems(path: string, items: ReadonlyArray<{ name: string; value: string }>): void {
  for (const item of items) {
    const records = readRecords(path);
    const at = records.findIndex(([key]) => key === item.name);
    if (at === -1) records.push([item.name, item.value]);
    else records[at] = [item.name, item.value];
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, Buffer.concat(records.map(([k, v]) => encodeRecord(k, v))), { mode: 0o600 });
    renameSync(tmp, path);
  }
}
