/**
 * Where the shared contracts live (Schemas/ at the repository root, also in the image) and
 * how to read them: every `*.json` with a `$schema`, looked up by `$id` (Schemas/README.md).
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const SCHEMA_ROOT = fileURLToPath(new URL('../../../Schemas/', import.meta.url));
export const SCHEMA_ID_BASE = 'https://aetherv.dev/schemas/';

export interface SchemaFile {
  path: string;
  schema: { $id?: string; $schema?: string } & Record<string, unknown>;
}

/** All schema documents under `root` (recursively); data files without `$schema` are skipped. */
export async function loadSchemaFiles(root = SCHEMA_ROOT): Promise<SchemaFile[]> {
  const files: SchemaFile[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.json')) {
        const schema = JSON.parse(await readFile(full, 'utf8')) as SchemaFile['schema'];
        if (typeof schema.$schema === 'string') files.push({ path: full, schema });
      }
    }
  }
  await walk(root);
  return files;
}

export interface OperationIndexEntry {
  name: string;
  params: string;
  result: string;
}

export async function loadOperationIndex(root = SCHEMA_ROOT): Promise<OperationIndexEntry[]> {
  const index = JSON.parse(await readFile(join(root, 'agent', 'operations.json'), 'utf8')) as { operations: OperationIndexEntry[] };
  return index.operations;
}

export async function loadAgentErrorCodes(root = SCHEMA_ROOT): Promise<Record<string, { retryable: boolean; description: string }>> {
  const data = JSON.parse(await readFile(join(root, 'agent', 'error-codes.json'), 'utf8')) as { codes: Record<string, { retryable: boolean; description: string }> };
  return data.codes;
}
