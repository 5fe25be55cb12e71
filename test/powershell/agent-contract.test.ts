/**
 * The host agent against Schemas/agent (the contract shared with the server and the simulator),
 * read from the agent's syntax trees rather than its text:
 * - the dispatch table of AetherV.Agent.ps1 has exactly one handler per operation of
 *   operations.json, each defined in a file the agent dot-sources;
 * - every error code the scripts can emit is in error-codes.json, and the agent's retryable set
 *   agrees with it;
 * - every parameter a handler (or a helper it hands $Params to) reads is declared in that
 *   operation's params schema, and every declared parameter is read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assignedValues, commandCalls, descendants, functionDefinitions, hashEntries, listPowerShellFiles, literalString,
  literalStrings, ofType, parseScript, repoRoot,
} from './powershell-ast.ts';
import type { FunctionDefinition, ParsedScript, SyntaxNode } from './powershell-ast.ts';

interface OperationIndex { operations: Array<{ name: string; params: string }> }
interface ErrorCodes { codes: Record<string, { retryable: boolean }> }

const schemaDir = join(repoRoot, 'Schemas', 'agent');
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const operations = readJson<OperationIndex>(join(schemaDir, 'operations.json')).operations;
const errorCodes = readJson<ErrorCodes>(join(schemaDir, 'error-codes.json')).codes;

// Pester tests (Powershell/tests/, *.Tests.ps1) are not agent code: the artifact build ships them nowhere.
const agentFiles = listPowerShellFiles('Powershell').filter((f) => !/\/tests?\//i.test(f) && !/\.Tests\.ps1$/i.test(f));
const scripts: ParsedScript[] = await Promise.all(agentFiles.map((f) => parseScript(f)));
const agent = scripts.find((s) => s.file === 'Powershell/AetherV.Agent.ps1')!;
const definitions: FunctionDefinition[] = scripts.filter((s) => !s.file.includes('/bootstrap/')).flatMap(functionDefinitions);
const definitionOf = (name: string): FunctionDefinition | undefined =>
  definitions.find((d) => d.name.toLowerCase() === name.toLowerCase());

function dispatchTable(): Map<string, string> {
  const values = assignedValues(agent.root, '$script:AgentOperations');
  assert.equal(values.length, 1, 'AetherV.Agent.ps1 assigns $script:AgentOperations exactly once');
  const table = new Map<string, string>();
  for (const { key, value } of hashEntries(values[0]!)) {
    const handler = literalString(value);
    assert.ok(handler !== undefined, `the handler of ${key} is a function name literal`);
    assert.ok(!table.has(key), `${key} appears once`);
    table.set(key, handler);
  }
  return table;
}

test('the dispatch table has one handler per operation of operations.json, and nothing else', () => {
  const table = dispatchTable();
  assert.ok(operations.length >= 20);
  assert.deepEqual([...table.keys()].sort(), operations.map((o) => o.name).sort());
});

test('every handler is a function defined in a file the agent dot-sources', () => {
  // The files AetherV.Agent.ps1 dot-sources are the '*.ps1' literals of its foreach lists.
  const sourced = new Set(
    ofType(agent.root, 'foreach_statement').flatMap((loop) =>
      ofType(loop, 'string_literal').map((s) => literalString(s)).filter((s): s is string => s?.endsWith('.ps1') === true)),
  );
  for (const name of sourced) assert.ok(agentFiles.includes(`Powershell/${name}`), `Powershell/${name} exists`);
  for (const [operation, handler] of dispatchTable()) {
    const definition = definitionOf(handler);
    assert.ok(definition !== undefined, `${handler} (for ${operation}) is defined`);
    assert.ok(sourced.has(definition.file.replace('Powershell/', '')), `${definition.file} is dot-sourced by the agent`);
    const params = ofType(definition.node, 'script_parameter').map((p) => p.text.replace(/^.*(\$\w+)\s*$/s, '$1').toLowerCase());
    assert.deepEqual(params, ['$params', '$context'], `${handler} takes (-Params, -Context)`);
  }
});

/** Error codes in a script: New-AgentError / Stop-Bootstrap codes, `code = '…'` entries, `$code = '…'`, and `return '…'` in *ErrorCode functions. */
function emittedCodes(script: ParsedScript): Set<string> {
  const codes = new Set<string>();
  for (const call of commandCalls(script.root)) {
    if (!/^(New-AgentError|Stop-Bootstrap)$/i.test(call.name)) continue;
    const codeArg = call.named.get('code') ?? call.positional[0];
    assert.ok(codeArg !== undefined, `${script.file}: ${call.node.text.slice(0, 60)} names a code`);
    const code = literalString(codeArg);
    // A variable is allowed only when it relays a code chosen elsewhere (checked there).
    if (code !== undefined) codes.add(code);
    else assert.match(codeArg.text, /^\(?Get-AgentMsvmErrorCode\b|^\$/, `${script.file}: code ${codeArg.text}`);
  }
  for (const table of ofType(script.root, 'hash_literal_expression')) {
    for (const { key, value } of hashEntries(table)) {
      const code = literalString(value);
      if (key.toLowerCase() === 'code' && code !== undefined) codes.add(code);
    }
  }
  for (const value of assignedValues(script.root, '$code')) {
    const code = literalString(value);
    if (code !== undefined) codes.add(code);
  }
  for (const fn of functionDefinitions(script).filter((f) => /ErrorCode$/.test(f.name))) {
    for (const statement of ofType(fn.node, 'flow_control_statement').filter((s) => s.text.startsWith('return'))) {
      for (const literal of ofType(statement, 'string_literal')) {
        const code = literalString(literal);
        if (code !== undefined) codes.add(code);
      }
    }
  }
  return codes;
}

test('every error code the agent and bootstrap scripts emit is in error-codes.json', () => {
  const all = new Map<string, string>();
  for (const script of scripts) for (const code of emittedCodes(script)) all.set(code, script.file);
  // Guards the collector itself: the agent uses most of the vocabulary.
  assert.ok(all.size >= 20, `found ${all.size} codes`);
  const unknown = [...all].filter(([code]) => !(code in errorCodes)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(unknown, []);
});

test("the agent's retryable codes are exactly the retryable ones of error-codes.json", () => {
  const common = scripts.find((s) => s.file === 'Powershell/AetherV.Common.ps1')!;
  const values = assignedValues(common.root, '$script:AgentRetryableCodes');
  assert.equal(values.length, 1);
  const ours = ofType(values[0]!, 'string_literal').map((n) => literalString(n)!).sort();
  const theirs = Object.entries(errorCodes).filter(([, v]) => v.retryable).map(([k]) => k).sort();
  assert.deepEqual(ours, theirs);
});

interface ReadSet { names: Set<string>; where: Map<string, string> }

/** Parameter names read from `$Params` in a function: `$Params.x`, `$Params['x']`, `$Params.ContainsKey('x')`, `Assert-AgentParam -Name 'x', 'y'`. */
function paramReads(fn: FunctionDefinition, reads: ReadSet): void {
  const isParams = (n: SyntaxNode | null | undefined): boolean => n?.type === 'variable' && n.text.toLowerCase() === '$params';
  for (const node of descendants(fn.node)) {
    if (node.type === 'member_access' && isParams(node.namedChildren[0])) {
      const name = node.namedChildren[1]?.text;
      if (name !== undefined) add(name);
    } else if (node.type === 'element_access' && isParams(node.namedChildren[0])) {
      const name = literalString(node.namedChildren[1]!);
      assert.ok(name !== undefined, `${fn.name}: $Params[…] uses a literal key`);
      add(name);
    } else if (node.type === 'invokation_expression' && isParams(node.namedChildren[0])) {
      const method = node.namedChildren[1]?.text ?? '';
      assert.match(method, /^ContainsKey$/i, `${fn.name}: only ContainsKey is called on $Params`);
      for (const literal of ofType(node, 'string_literal')) add(literalString(literal)!);
    }
  }
  for (const call of commandCalls(fn.node).filter((c) => /^Assert-AgentParam$/i.test(c.name))) {
    for (const name of literalStrings(call.named.get('name')!)) add(name);
  }
  function add(name: string): void {
    reads.names.add(name);
    if (!reads.where.has(name)) reads.where.set(name, fn.name);
  }
}

/** Reads of a handler plus those of the functions it passes `-Params $Params` to, transitively. */
function handlerReads(handler: FunctionDefinition): ReadSet {
  const reads: ReadSet = { names: new Set(), where: new Map() };
  const seen = new Set<string>();
  const visit = (fn: FunctionDefinition): void => {
    if (seen.has(fn.name.toLowerCase())) return;
    seen.add(fn.name.toLowerCase());
    paramReads(fn, reads);
    for (const call of commandCalls(fn.node)) {
      if (call.named.get('params')?.text.toLowerCase() !== '$params') continue;
      // Assert-AgentParam reads the names it is given (counted above), not fixed ones.
      const callee = definitionOf(call.name);
      if (callee !== undefined && !/^Assert-AgentParam$/i.test(callee.name)) visit(callee);
    }
  };
  visit(handler);
  return reads;
}

test('handlers read only the parameters their schema declares, and read all of them', () => {
  const table = dispatchTable();
  for (const operation of operations) {
    const schema = readJson<{ properties: Record<string, unknown> }>(join(schemaDir, operation.params));
    const declared = Object.keys(schema.properties).sort();
    const reads = handlerReads(definitionOf(table.get(operation.name)!)!);
    const undeclared = [...reads.names].filter((n) => !declared.includes(n));
    assert.deepEqual(undeclared.map((n) => `${n} (read in ${reads.where.get(n)})`), [], `${operation.name}: reads parameters its schema lacks`);
    assert.deepEqual(declared.filter((n) => !reads.names.has(n)), [], `${operation.name}: ignores declared parameters`);
  }
});

// Verbs of Get-Verb (Windows PowerShell 5.1) that our function names use or may use.
const APPROVED_VERBS = new Set([
  'Add', 'Clear', 'Close', 'Copy', 'Enter', 'Exit', 'Find', 'Format', 'Get', 'Hide', 'Join', 'Lock', 'Move', 'New', 'Open',
  'Optimize', 'Pop', 'Push', 'Redo', 'Remove', 'Rename', 'Reset', 'Resize', 'Search', 'Select', 'Set', 'Show', 'Skip', 'Split',
  'Step', 'Switch', 'Undo', 'Unlock', 'Watch', 'Backup', 'Checkpoint', 'Compare', 'Compress', 'Convert', 'ConvertFrom',
  'ConvertTo', 'Dismount', 'Edit', 'Expand', 'Export', 'Group', 'Import', 'Initialize', 'Limit', 'Merge', 'Mount', 'Out',
  'Publish', 'Restore', 'Save', 'Sync', 'Unpublish', 'Update', 'Approve', 'Assert', 'Complete', 'Confirm', 'Deny', 'Disable',
  'Enable', 'Install', 'Invoke', 'Register', 'Request', 'Restart', 'Resume', 'Start', 'Stop', 'Submit', 'Suspend', 'Uninstall',
  'Unregister', 'Wait', 'Debug', 'Measure', 'Ping', 'Repair', 'Resolve', 'Test', 'Trace', 'Connect', 'Disconnect', 'Read',
  'Receive', 'Send', 'Write', 'Block', 'Grant', 'Protect', 'Revoke', 'Unblock', 'Unprotect', 'Use',
]);
const ALIASES = new Set(['%', '?', 'iex', 'gci', 'ls', 'dir', 'cat', 'echo', 'select', 'where', 'foreach', 'sort', 'gc', 'sc', 'ni', 'ri', 'rm', 'del', 'cp', 'mv', 'cd', 'pwd', 'gm', 'ft', 'fl', 'gwmi', 'curl', 'wget', 'irm', 'iwr', 'measure', 'tee', 'sleep', 'write']);

test('agent and bootstrap scripts use approved verbs, no aliases and no Invoke-Expression', () => {
  for (const script of scripts) {
    for (const fn of functionDefinitions(script)) {
      const verb = fn.name.split('-')[0]!;
      assert.ok(fn.name.includes('-') && APPROVED_VERBS.has(verb), `${script.file}: ${fn.name} uses an approved verb`);
    }
    for (const call of commandCalls(script.root)) {
      const name = call.name.toLowerCase();
      assert.ok(!ALIASES.has(name), `${script.file}: alias '${call.name}' in ${call.node.text.slice(0, 60)}`);
      assert.notEqual(name, 'invoke-expression', `${script.file} never runs text as code`);
    }
    assert.doesNotMatch(script.source, /\[scriptblock\]::Create/i, `${script.file} builds no script blocks from text`);
  }
});

/** The `[ordered]@{…}` literals of a function that are not nested in another one, with their keys. */
function orderedLiterals(fn: FunctionDefinition): Array<{ keys: string[]; node: SyntaxNode }> {
  const isOrdered = (n: SyntaxNode): boolean =>
    n.type === 'cast_expression' && n.namedChildren[0]?.text.toLowerCase() === '[ordered]';
  const literals: Array<{ keys: string[]; node: SyntaxNode }> = [];
  for (const cast of [...descendants(fn.node)].filter(isOrdered)) {
    let nested = false;
    for (let up = cast.parent; up !== null && up.id !== fn.node.id; up = up.parent) if (isOrdered(up)) nested = true;
    const keys = hashEntries(cast).map((e) => e.key);
    if (!nested && keys.length > 0) literals.push({ keys, node: cast });
  }
  return literals;
}

interface ObjectSchema { required?: string[]; properties?: Record<string, unknown>; $ref?: string }
const commonDefs = readJson<{ $defs: Record<string, ObjectSchema> }>(join(schemaDir, 'common.json')).$defs;

function assertShape(where: string, keys: string[], schema: ObjectSchema): void {
  const declared = Object.keys(schema.properties ?? {});
  assert.deepEqual(keys.filter((k) => !declared.includes(k)), [], `${where}: keys the schema does not declare`);
  assert.deepEqual((schema.required ?? []).filter((k) => !keys.includes(k)), [], `${where}: required keys missing`);
}

test('the records the agent builds have the fields of common.json', () => {
  const builders: Array<[string, string]> = [
    ['ConvertTo-AgentVmRecord', 'vm'], ['ConvertTo-AgentDiskRecord', 'disk'], ['ConvertTo-AgentNicRecord', 'nic'],
    ['Get-AgentHostRecord', 'host'], ['Get-AgentSwitchRecord', 'switch'], ['Get-AgentStoragePath', 'storagePath'],
    ['Get-AgentGoldenImage', 'image'], ['Get-AgentProvisioningIso', 'provisioningIso'],
  ];
  for (const [name, def] of builders) {
    const fn = definitionOf(name);
    assert.ok(fn !== undefined, `${name} is defined`);
    const literals = orderedLiterals(fn);
    assert.equal(literals.length, 1, `${name} builds one ${def} record`);
    assertShape(`${name} (${def})`, literals[0]!.keys, commonDefs[def]!);
  }
  const vmRecord = orderedLiterals(definitionOf('ConvertTo-AgentVmRecord')!)[0]!;
  const memory = hashEntries(vmRecord.node).find((e) => e.key === 'memory')!;
  assertShape('vm.memory', hashEntries(memory.value).map((e) => e.key), commonDefs['memory']!);
});

test('every handler returns the fields of its result schema', () => {
  const table = dispatchTable();
  for (const operation of operations) {
    const schema = readJson<ObjectSchema>(join(schemaDir, operation.params.replace('.params.json', '.result.json')));
    const handler = definitionOf(table.get(operation.name)!)!;
    const literals = orderedLiterals(handler);
    if (schema.$ref !== undefined) {
      // host.info answers a common.json record directly (checked above).
      assert.equal(literals.length, 0, `${operation.name} returns the ${schema.$ref} record`);
      continue;
    }
    assert.ok(literals.length > 0, `${handler.name} builds its result`);
    for (const literal of literals) assertShape(`${operation.name} result`, literal.keys, schema);
  }
});
