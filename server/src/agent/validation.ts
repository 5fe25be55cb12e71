/**
 * Checks requests against Schemas/ before they leave (so a bad request fails here, with a
 * clear message, instead of on the host) and results when they come back (so a host that
 * drifted from the contract is noticed at the boundary). Error messages carry schema paths
 * only, never values: params may hold secrets.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { AppError } from '../errors.ts';
import { loadOperationIndex, loadSchemaFiles, SCHEMA_ID_BASE, SCHEMA_ROOT } from './schema-files.ts';

// ajv-formats is CommonJS whose default export TypeScript's NodeNext view does not see as callable.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: unknown) => void;

export type ContractKind = 'params' | 'result';

export interface ContractValidator {
  readonly operations: readonly string[];
  /** Throws VALIDATION_FAILED when `params` do not match the operation's params schema. */
  checkParams(operation: string, params: unknown): void;
  /** Returns the schema violations of a result (empty when it matches). */
  resultProblems(operation: string, result: unknown): string[];
  checkBootstrapParams(script: string, params: unknown): void;
  bootstrapResultProblems(script: string, result: unknown): string[];
}

export async function createContractValidator(root = SCHEMA_ROOT): Promise<ContractValidator> {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const file of await loadSchemaFiles(root)) ajv.addSchema(file.schema);
  const operations = (await loadOperationIndex(root)).map((entry) => entry.name);
  const cache = new Map<string, ValidateFunction>();
  const validatorFor = (id: string): ValidateFunction => {
    let validate = cache.get(id);
    if (!validate) {
      validate = ajv.getSchema(id);
      if (!validate) throw new AppError('INTERNAL', `No schema ${id} under ${root}`);
      cache.set(id, validate);
    }
    return validate;
  };
  const problems = (id: string, value: unknown): string[] => {
    const validate = validatorFor(id);
    return validate(value) ? [] : describe(validate.errors ?? []);
  };
  const check = (id: string, subject: string, value: unknown) => {
    const found = problems(id, value);
    if (found.length > 0) {
      throw new AppError('VALIDATION_FAILED', `${subject} do not match the contract: ${found.slice(0, 5).join('; ')}`, { details: { errors: found } });
    }
  };
  const known = (operation: string) => {
    if (!operations.includes(operation)) throw new AppError('VALIDATION_FAILED', `Unknown agent operation ${JSON.stringify(operation)}`);
  };
  return {
    operations,
    checkParams(operation, params) {
      known(operation);
      check(`${SCHEMA_ID_BASE}agent/operations/${operation}.params.json`, `Parameters of ${operation}`, params);
    },
    resultProblems(operation, result) {
      known(operation);
      return problems(`${SCHEMA_ID_BASE}agent/operations/${operation}.result.json`, result);
    },
    checkBootstrapParams(script, params) {
      check(`${SCHEMA_ID_BASE}bootstrap/${script}.params.json`, `Input of the ${script} bootstrap script`, params);
    },
    bootstrapResultProblems(script, result) {
      return problems(`${SCHEMA_ID_BASE}bootstrap/${script}.result.json`, result);
    },
  };
}

/** `/memory/startupBytes must be >= 33554432` — paths and rules, no values. */
function describe(errors: ErrorObject[]): string[] {
  return errors.map((error) => {
    const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
    return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
  });
}

let shared: Promise<ContractValidator> | undefined;

/** One validator for the process: compiling the schemas once is enough. */
export function sharedContractValidator(): Promise<ContractValidator> {
  shared ??= createContractValidator();
  return shared;
}
