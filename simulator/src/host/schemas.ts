/**
 * The simulator's validator for the shared contracts under Schemas/ (the only thing it shares with
 * the server). Every schema file is loaded once into one Ajv 2020-12 instance and looked up by $id.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'Schemas');
const BASE = 'https://aetherv.dev/schemas/';

export interface SchemaIssue { instancePath: string; message: string }

export interface Validator {
  /** Validates `value` against the schema at `relativePath` (e.g. `agent/operations/vm.create.params.json`). */
  check(relativePath: string, value: unknown): SchemaIssue[];
  operations: string[];
  errorCodes: Record<string, { retryable: boolean; description: string }>;
}

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

let shared: Validator | undefined;

export function schemas(): Validator {
  shared ??= load();
  return shared;
}

function load(): Validator {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.json')) {
        const doc = JSON.parse(readFileSync(full, 'utf8')) as Record<string, unknown>;
        if (typeof doc.$schema === 'string') ajv.addSchema(doc);
      }
    }
  };
  walk(SCHEMAS_DIR);
  const index = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'agent', 'operations.json'), 'utf8')) as { operations: { name: string }[] };
  const codes = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'agent', 'error-codes.json'), 'utf8')) as { codes: Validator['errorCodes'] };
  const cache = new Map<string, ValidateFunction>();
  return {
    operations: index.operations.map((o) => o.name),
    errorCodes: codes.codes,
    check(relativePath, value) {
      let fn = cache.get(relativePath);
      if (!fn) {
        fn = ajv.getSchema(BASE + relativePath);
        if (!fn) throw new Error(`no schema ${relativePath}`);
        cache.set(relativePath, fn);
      }
      if (fn(value)) return [];
      return (fn.errors ?? []).map((e: ErrorObject) => ({ instancePath: e.instancePath, message: `${e.message ?? 'invalid'}${e.keyword === 'additionalProperties' ? `: ${String((e.params as { additionalProperty?: string }).additionalProperty)}` : ''}` }));
    },
  };
}
