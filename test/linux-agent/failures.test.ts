/**
 * The real Linux agent when something is wrong: it reports `failed` with the fixed error vocabulary,
 * applies nothing it should not, and still removes its private key.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import {
  chunkBlob,
  GUEST_ITEM,
  handshakeStartItems,
  HOST_ITEM,
  parseGuestPublicKey,
  sealPayload,
  type KvpItem,
} from '../../server/src/provisioning/index.ts';
import { makeGuestRoot, standinCalls, startAgent, type GuestRoot } from './support/guest-root.ts';
import { playHost, waitFor } from './support/host.ts';
import { readPool, writeHostItems } from './support/kvp-pool.ts';

const VERSION = '0.1.0';
const CONFIG = { hostname: 'web-01', localAdmin: { username: 'ops', password: 'Secret-123' } };
const APPLYING_COMMANDS = new Set(['hostnamectl', 'useradd', 'usermod', 'chpasswd', 'chown', 'netplan', 'nmcli']);

const roots: GuestRoot[] = [];
after(() => roots.forEach((root) => root.cleanup()));

function newRoot(options: Parameters<typeof makeGuestRoot>[0] = { version: VERSION }): GuestRoot {
  const root = makeGuestRoot(options);
  roots.push(root);
  return root;
}

function appliedCommands(root: GuestRoot): string[] {
  return standinCalls(root).map((c) => c.cmd).filter((cmd) => APPLYING_COMMANDS.has(cmd));
}

/** Replaces the value of one item. */
function replace(items: KvpItem[], name: string, value: (old: string) => string): KvpItem[] {
  return items.map((item) => (item.name === name ? { name, value: value(item.value) } : item));
}

describe('Linux guest agent: failures', () => {
  test('tampered ciphertext → failed, "error validating:mac", nothing applied', async () => {
    const root = newRoot();
    const result = await playHost(root, startAgent(root), {
      version: VERSION,
      config: CONFIG,
      // Change one base64 character well inside the ciphertext (after the IV's 22 characters).
      tamper: (items) => replace(items, 'aetherv.payload.0', (v) => `${v.slice(0, 40)}${v[40] === 'A' ? 'B' : 'A'}${v.slice(41)}`),
    });
    assert.equal(result.code, 1);
    assert.equal(result.items.get(GUEST_ITEM.state), 'failed');
    assert.equal(result.items.get(GUEST_ITEM.error), 'error validating:mac');
    assert.deepEqual(appliedCommands(root), []);
    const openssl = standinCalls(root).filter((c) => c.cmd === 'openssl').map((c) => c.argv[0]);
    assert.deepEqual(openssl, ['genpkey', 'pkey', 'pkeyutl'], 'the MAC is checked before anything is decrypted');
    assert.equal(existsSync(root.file('run/aetherv')), false, 'the private key is removed');
  });

  test('a key wrapped for another guest → "error decrypting:key"', async () => {
    const root = newRoot();
    const other = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey;
    const result = await playHost(root, startAgent(root), {
      version: VERSION,
      config: CONFIG,
      tamper: (items) => replace(items, HOST_ITEM.key, () => sealPayload(Buffer.from('{}'), other).wrappedKey),
    });
    assert.equal(result.items.get(GUEST_ITEM.state), 'failed');
    assert.equal(result.items.get(GUEST_ITEM.error), 'error decrypting:key');
    assert.deepEqual(appliedCommands(root), []);
  });

  test('an authentic payload the guest finds invalid → "error validating:config"', async () => {
    const root = newRoot();
    const result = await playHost(root, startAgent(root), {
      version: VERSION,
      config: CONFIG,
      // Sealed correctly for this guest, but the hostname would be shell-hostile: the guest re-checks.
      tamper: (items) => {
        const guestKey = parseGuestPublicKey(readGuestPubkey(root));
        const sealed = sealPayload(Buffer.from(JSON.stringify({ hostname: 'web-01; reboot' })), guestKey);
        const chunks = chunkBlob(sealed.blob);
        return [
          { name: HOST_ITEM.key, value: sealed.wrappedKey },
          { name: HOST_ITEM.payloadCount, value: String(chunks.length) },
          ...chunks.map((value, i) => ({ name: `aetherv.payload.${i}`, value })),
          ...items.filter((item) => item.name === 'aetherv.host.state'),
        ];
      },
    });
    assert.equal(result.items.get(GUEST_ITEM.error), 'error validating:config');
    assert.deepEqual(appliedCommands(root), []);
  });

  test('a missing chunk → "error reading:payload"', async () => {
    const root = newRoot();
    const result = await playHost(root, startAgent(root), {
      version: VERSION,
      config: CONFIG,
      tamper: (items) => replace(items, HOST_ITEM.payloadCount, (n) => String(Number(n) + 1)),
    });
    assert.equal(result.items.get(GUEST_ITEM.error), 'error reading:payload');
  });

  test('host and ISO versions differ → "error version-mismatch:<guest>!=<host>", no key made', async () => {
    const root = newRoot();
    const result = await playHost(root, startAgent(root), { version: '9.9.9', config: CONFIG });
    assert.equal(result.code, 1);
    assert.equal(result.items.get(GUEST_ITEM.state), 'failed');
    assert.equal(result.items.get(GUEST_ITEM.error), 'error version-mismatch:0.1.0!=9.9.9');
    assert.equal(result.items.get(GUEST_ITEM.version), VERSION);
    assert.equal(result.items.has(GUEST_ITEM.pubkey), false);
  });

  test('no host at all → "error timeout:version" once the deadline passes', async () => {
    const root = newRoot();
    const started = Date.now();
    const { code } = await startAgent(root, { AETHERV_TIMEOUT_SECONDS: '1' }).exited;
    assert.equal(code, 1);
    assert.ok(Date.now() - started < 15_000);
    const result = readPool(root.pool1);
    assert.equal(result.get(GUEST_ITEM.state), 'failed');
    assert.equal(result.get(GUEST_ITEM.error), 'error timeout:version');
  });

  test('stopped while waiting for the payload (SIGTERM) → "error interrupted:payload-published", key removed', async () => {
    const root = newRoot();
    const agent = startAgent(root);
    writeHostItems(root.pool0, handshakeStartItems(VERSION));
    const published = await waitFor(agent, () => (readPool(root.pool1).get(GUEST_ITEM.state) === 'awaiting-payload' ? true : undefined));
    assert.equal(published, true);
    assert.equal(existsSync(root.file('run/aetherv')), true, 'the key exists while the agent waits');
    agent.kill('SIGTERM');
    const { code } = await agent.exited;
    assert.equal(code, 1);
    const items = readPool(root.pool1);
    assert.equal(items.get(GUEST_ITEM.state), 'failed');
    assert.equal(items.get(GUEST_ITEM.error), 'error interrupted:payload-published');
    assert.equal(existsSync(root.file('run/aetherv')), false, 'the private key is removed');
  });

  test('netplan apply fails → "error applying:network" and the half-applied file is removed', async () => {
    const root = newRoot();
    const agent = startAgent(root, { STANDIN_FAIL: 'netplan' });
    const config = { ...CONFIG, network: { ipv4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1' } } };
    const result = await playHost(root, agent, { version: VERSION, config });
    assert.equal(result.items.get(GUEST_ITEM.state), 'failed');
    assert.equal(result.items.get(GUEST_ITEM.error), 'error applying:network');
    assert.equal(result.items.has(GUEST_ITEM.ipv4), false);
    assert.equal(existsSync(root.file('etc/netplan/90-aetherv.yaml')), false);
    assert.equal(existsSync(root.file('var/lib/aetherv/applied')), false, 'a failed run may be retried');
    assert.equal(existsSync(root.file('run/aetherv')), false);
  });
});

function readGuestPubkey(root: GuestRoot): string {
  const value = readPool(root.pool1).get(GUEST_ITEM.pubkey);
  assert.ok(value, 'the guest published its key');
  return value;
}
