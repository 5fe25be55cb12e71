/** Reading folders back in tests. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under `dir` as a sorted list of `/`-separated relative paths. */
export async function listTree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...(await listTree(join(dir, entry.name), `${prefix}${entry.name}/`)));
    else out.push(prefix + entry.name);
  }
  return out.sort();
}
