import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { AgentClient } from '../../server/src/agent/client.ts';
import { GENERATED_FILE, generateTypes } from '../../server/src/agent/generate-types.ts';
import { loadOperationIndex } from '../../server/src/agent/schema-files.ts';
import { createContractValidator } from '../../server/src/agent/validation.ts';

const methodName = (operation: string) => operation.replace(/\.([a-z])/g, (_m, c: string) => c.toUpperCase());

describe('agent client against Schemas/agent', () => {
  it('has a typed method for every operation in operations.json, and no extra ones', async () => {
    const operations = (await loadOperationIndex()).map((o) => o.name);
    assert.ok(operations.length >= 20);
    const methods = Object.getOwnPropertyNames(AgentClient.prototype);
    for (const operation of operations) assert.ok(methods.includes(methodName(operation)), `AgentClient.${methodName(operation)} for ${operation}`);
    const operationMethods = methods.filter((m) => /^(host|inventory|image|iso|vm|disk|nic|kvp|cluster)[A-Z]/.test(m));
    assert.deepEqual(operationMethods.sort(), operations.map(methodName).sort());
  });

  it('each typed method sends its own operation name', async () => {
    const operations = (await loadOperationIndex()).map((o) => o.name);
    const sent: string[] = [];
    const client = new AgentClient({ transports: { get: () => { throw new Error('not used'); } }, validator: null });
    (client as unknown as { call: (h: string, op: string) => Promise<unknown> }).call = async (_host, operation) => sent.push(operation);
    for (const operation of operations) await (client as unknown as Record<string, (h: string, p: unknown) => Promise<unknown>>)[methodName(operation)]!('hv01', {});
    assert.deepEqual(sent, operations);
  });

  it('types.generated.ts is up to date with the schemas (regenerate: node --import tsx server/src/agent/generate-types.ts)', async () => {
    assert.equal(await readFile(GENERATED_FILE, 'utf8'), await generateTypes());
  });

  it('compiles a validator for every params and result schema', async () => {
    const validator = await createContractValidator();
    for (const operation of validator.operations) {
      assert.doesNotThrow(() => validator.resultProblems(operation, {}));
      assert.throws(() => validator.checkParams(operation, { definitelyNotAParam: 1 }), /do not match/);
    }
    assert.doesNotThrow(() => validator.checkParams('host.info', {}));
  });
});
