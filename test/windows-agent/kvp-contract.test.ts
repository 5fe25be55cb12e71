/**
 * The Windows agent speaks aetherv.kvp/1 exactly as DESIGN §5 and the orchestrator
 * (server/src/provisioning/kvp-protocol.ts) define it: item names, states, who writes what, and
 * an error vocabulary shared with the Linux agent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GUEST_ITEM,
  GUEST_STATE,
  HOST_ITEM,
  HOST_STATE,
  KVP_PROTOCOL,
  MAX_PAYLOAD_CHUNKS,
  parseGuestError,
  payloadItemName,
} from '../../server/src/provisioning/kvp-protocol.ts';
import { commandCalls, functionNodes, literalArgument, loadScripts, repoRoot, stringLiterals, validateSetValues } from './ps-tree.ts';

const files = loadScripts();
const literals = stringLiterals(files);
const calls = commandCalls(files);
const kvpModule = files.find((f) => f.path === 'Modules/AetherV.Kvp.psm1');
assert.ok(kvpModule, 'Windows/Modules/AetherV.Kvp.psm1 exists');
const kvpFunctions = functionNodes(kvpModule);

// DESIGN §5, written out here on purpose: a rename on either side must fail this test.
const designHostItems = ['aetherv.version', 'aetherv.host.state', 'aetherv.key', 'aetherv.payload.count', 'aetherv.payload.<i>'];
const designGuestItems = ['aetherv.guest.state', 'aetherv.guest.pubkey', 'aetherv.guest.error', 'aetherv.guest.version', 'aetherv.guest.ipv4'];
const designHostStates = ['awaiting-key', 'payload-published'];
const designGuestStates = ['awaiting-payload', 'applying', 'applied', 'failed'];
const protocolStages = ['initializing', 'reading', 'timeout', 'version-mismatch', 'generating', 'publishing', 'decrypting', 'validating', 'applying', 'interrupted'];

/** `aetherv.payload.{0}` (a -f format) and `aetherv.payload.7` both name the chunk item. */
function normaliseItem(name: string): string {
  return name.replace(/^aetherv\.payload\.(\{0\}|\d+)$/, 'aetherv.payload.<i>');
}

const itemLiterals = literals.filter((l) => /^aetherv\.[a-z0-9.{}]+$/.test(l.value));

describe('Windows guest agent: aetherv.kvp/1 contract', () => {
  it('the design lists the same items and states as the orchestrator', () => {
    assert.deepEqual([...Object.values(HOST_ITEM), payloadItemName(0)].map(normaliseItem).sort(), [...designHostItems].sort());
    assert.deepEqual(Object.values(GUEST_ITEM).sort(), [...designGuestItems].sort());
    assert.deepEqual(Object.values(HOST_STATE).sort(), [...designHostStates].sort());
    assert.deepEqual(Object.values(GUEST_STATE).sort(), [...designGuestStates].sort());
  });

  it('uses exactly the KVP item names of DESIGN §5', () => {
    const used = new Set(itemLiterals.map((l) => normaliseItem(l.value)));
    assert.deepEqual([...used].sort(), [...designHostItems, ...designGuestItems].sort());
  });

  it('only reads host items and only writes guest items', () => {
    const reads = calls.filter((c) => c.name === 'Get-KvpHostItem' || c.name === 'Wait-KvpHostItem');
    const writes = calls.filter((c) => c.name === 'Set-KvpGuestItem');
    assert.ok(reads.length > 0 && writes.length > 0);
    for (const call of reads) {
      const name = literalArgument(call.node, 'Name');
      if (name !== undefined) assert.ok(designHostItems.includes(normaliseItem(name)), `${call.file}: reads ${name}`);
    }
    for (const call of writes) {
      const name = literalArgument(call.node, 'Name');
      if (name !== undefined) assert.ok(designGuestItems.includes(name), `${call.file}: writes ${name}`);
    }
    // Every guest item literal sits in the KVP module, the one place that writes the Guest key.
    for (const literal of itemLiterals.filter((l) => designGuestItems.includes(l.value))) {
      assert.equal(literal.file, 'Modules/AetherV.Kvp.psm1', `${literal.value} used outside the KVP module`);
    }
  });

  it('reads the External key and writes the Guest key of the KVP registry', () => {
    const values = new Set(literals.map((l) => l.value));
    assert.ok(values.has('SOFTWARE\\Microsoft\\Virtual Machine\\External'));
    assert.ok(values.has('SOFTWARE\\Microsoft\\Virtual Machine\\Guest'));
    assert.match(kvpModule.source, /RegistryValueKind\]::String/);
    assert.match(kvpModule.source, /RegistryView\]::Registry64/);
  });

  it('accepts exactly the states of DESIGN §5, and every call site uses one of them', () => {
    const guestStates = validateSetValues(kvpFunctions.get('Set-KvpGuestState') as never);
    const hostStates = validateSetValues(kvpFunctions.get('Wait-KvpHostState') as never);
    assert.deepEqual([...guestStates].sort(), [...designGuestStates].sort());
    assert.deepEqual([...hostStates].sort(), [...designHostStates].sort());

    const written = calls.filter((c) => c.name === 'Set-KvpGuestState').map((c) => literalArgument(c.node, 'State'));
    const awaited = calls.filter((c) => c.name === 'Wait-KvpHostState').map((c) => literalArgument(c.node, 'State'));
    assert.deepEqual([...new Set(written)].sort(), [...designGuestStates].sort(), 'every guest state is reported somewhere');
    assert.deepEqual([...new Set(awaited)].sort(), [...designHostStates].sort(), 'every host state is awaited');
    // The state item is compared case-sensitively, as the orchestrator writes it.
    assert.match(kvpFunctions.get('Wait-KvpHostState')?.text ?? '', /-ceq \$State/);
  });

  it('refuses more payload chunks than the orchestrator may publish, and reads the MAC label of the protocol', () => {
    assert.match(kvpFunctions.get('Get-KvpPayload')?.text ?? '', new RegExp(`\\$MaxChunks = ${MAX_PAYLOAD_CHUNKS}\\b`));
    assert.ok(literals.some((l) => l.file === 'Modules/AetherV.Crypto.psm1' && l.value === KVP_PROTOCOL));
  });
});

describe('Windows guest agent: error vocabulary', () => {
  const codes = [...new Set(literals.map((l) => l.value).filter((v) => /^error[ :]/.test(v)))].sort();
  const stage = (code: string): string => /^error ([a-z-]+):/.exec(code)?.[1] ?? '';

  it('every error summary is `error <stage>:<detail>` that the orchestrator parses, with a protocol stage', () => {
    assert.ok(codes.length > 10, codes.join(', '));
    for (const code of codes) {
      if (code === 'error:unknown') continue;
      assert.match(code, /^error [a-z-]+:([a-z0-9-]+|\{0\}!=\{1\})$/, code);
      assert.ok(parseGuestError(code), `orchestrator cannot parse ${code}`);
      assert.ok(protocolStages.includes(stage(code)), `unknown stage in ${code}`);
      assert.ok(code.length <= 200);
    }
    assert.ok(codes.includes('error:unknown'), 'a fallback exists');
  });

  it('reports each failure the brief names', () => {
    for (const code of [
      'error validating:mac',
      'error decrypting:payload',
      'error decrypting:key',
      'error validating:config',
      'error applying:hostname',
      'error applying:local-admin',
      'error applying:network',
      'error applying:domain-join',
      'error timeout:version',
      'error timeout:awaiting-key',
      'error timeout:payload-published',
      'error version-mismatch:{0}!={1}',
    ]) {
      assert.ok(codes.includes(code), `missing ${code}`);
    }
  });

  const linuxAgent = join(repoRoot, 'Linux', 'aetherv-guest-agent');
  it('shares its error vocabulary with the Linux agent', { skip: existsSync(linuxAgent) ? false : 'Linux/aetherv-guest-agent is not there' }, () => {
    const linux = readFileSync(linuxAgent, 'utf8');
    const linuxLiterals = [...linux.matchAll(/["'](error [a-z-]+:[^"']*)["']/g)].map((m) => m[1] as string);
    assert.ok(linuxLiterals.length > 5);
    const windowsStages = new Set(codes.map(stage).filter(Boolean));
    const linuxStages = new Set(linuxLiterals.map(stage));
    // Same stage words (Linux builds some codes from its current stage, so its literals are a subset).
    for (const word of linuxStages) assert.ok(windowsStages.has(word), `Linux stage "${word}" unknown to Windows`);
    for (const word of windowsStages) assert.ok(protocolStages.includes(word), word);
    // The same situation gets the same summary on both: every complete Linux code appears on Windows.
    const linuxComplete = linuxLiterals.filter((c) => /^error [a-z-]+:[a-z0-9-]+$/.test(c));
    assert.ok(linuxComplete.length > 5);
    for (const code of linuxComplete) assert.ok(codes.includes(code), `Linux reports ${code}; Windows does not`);
    // And the version mismatch has the same shape.
    assert.ok(linuxLiterals.some((c) => /^error version-mismatch:%s!=%s$/.test(c)));
    assert.ok(codes.includes('error version-mismatch:{0}!={1}'));
  });
});
