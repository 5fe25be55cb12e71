/**
 * Issue 16 item 1: a Hyper-V KVP value is UTF-16 in a 2,048-byte field with its terminator
 * (Msvm_KvpExchangeDataItem.Data is MAXLEN(1024); the Linux driver's HV_KVP_EXCHANGE_MAX_VALUE_SIZE
 * is 2,048 bytes of UTF-16), so it holds at most 1,023 UTF-16 code units, and a key at most 255.
 * The server chunks below that, the shared schema says it, and the simulator refuses more, as
 * AddKvpItems does. A 10 KB guest configuration provisions end to end.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PAYLOAD_CHUNK_CHARS } from '../../server/src/provisioning/kvp-protocol.ts';
import { createContractValidator } from '../../server/src/agent/validation.ts';
import { createFleet, type Fleet, type SimulatedHost } from '../../simulator/src/host/fleet.ts';
import { callAgent, fakeArtifacts } from '../../simulator/src/host/testing.ts';
import { MemoryKvp } from '../../simulator/src/host/model.ts';
import { linuxRequest } from '../jobs/kinds/requests.ts';
import { explain, oplog, runJob, startHarness, type Harness } from '../jobs/kinds/harness.ts';
import { repoRoot } from '../support/pester.ts';

const common = JSON.parse(readFileSync(join(repoRoot, 'Schemas', 'agent', 'common.json'), 'utf8')) as { $defs: Record<string, { maxLength: number }> };
const VALUE_UNITS = common.$defs.kvpValue!.maxLength;
const KEY_UNITS = common.$defs.kvpKey!.maxLength;

/** An OpenSSH `ssh-rsa` authorized_keys line of a real RSA key (string "ssh-rsa", mpint e, mpint n). */
function sshRsaLine(bits: number, comment: string): string {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
  const field = (b: Buffer) => { const len = Buffer.alloc(4); len.writeUInt32BE(b.length); return Buffer.concat([len, b]); };
  const mpint = (b64url: string) => { const b = Buffer.from(b64url, 'base64url'); return field((b[0]! & 0x80) ? Buffer.concat([Buffer.from([0]), b]) : b); };
  return `ssh-rsa ${Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]).toString('base64')} ${comment}`;
}

describe('KVP value size (UTF-16 code units, as Hyper-V counts them)', () => {
  it('the contract: values ≤ 1,023 units, keys ≤ 255, and the server\'s chunks fit with room', () => {
    assert.equal(VALUE_UNITS, 1023);
    assert.equal(KEY_UNITS, 255);
    assert.ok(PAYLOAD_CHUNK_CHARS <= 1000, `chunks of ${PAYLOAD_CHUNK_CHARS} characters`);
  });

  it('JSON Schema maxLength counts code points (ajv), so astral characters need the agents\' UTF-16 check too', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile({ type: 'string', maxLength: VALUE_UNITS });
    const astral = '\u{1F600}'.repeat(600);
    assert.equal(astral.length, 1200, 'JavaScript length is UTF-16 units');
    assert.equal(validate(astral), true, 'ajv counts 600 code points: the schema alone cannot refuse it');
    assert.equal(validate('x'.repeat(VALUE_UNITS + 1)), false);
  });

  it('the server refuses a kvp.set value of 1,024 units before it leaves', async () => {
    const validator = await createContractValidator();
    const vmId = '11111111-2222-3333-4444-555555555555';
    assert.doesNotThrow(() => validator.checkParams('kvp.set', { vmId, items: [{ key: 'k'.repeat(255), value: 'x'.repeat(1023) }] }));
    assert.throws(() => validator.checkParams('kvp.set', { vmId, items: [{ key: 'k', value: 'x'.repeat(1024) }] }), /VALIDATION_FAILED|do not match/);
    assert.throws(() => validator.checkParams('kvp.set', { vmId, items: [{ key: 'k'.repeat(256), value: 'x' }] }), /do not match/);
  });
});

describe('the simulator refuses what AddKvpItems refuses', () => {
  let fleet: Fleet;
  let host: SimulatedHost;
  let vmId: string;
  before(async () => {
    fleet = createFleet({ hosts: 1, vmsPerHost: 1, clusters: 0, seed: 16, timeScale: 0, preinstallAgentFrom: fakeArtifacts('2.0.0') });
    host = fleet.hosts[0]!;
    const inv = await callAgent(host, 'inventory.collect', {});
    vmId = (inv.result as { vms: { vmId: string }[] }).vms[0]!.vmId;
  });
  after(() => fleet.close());

  const set = (items: { key: string; value: string }[]) => callAgent(host, 'kvp.set', { vmId, items }, { checkRequest: false });

  it('accepts 1,023 units and a 255-unit key', async () => {
    const r = await set([{ key: 'k'.repeat(KEY_UNITS), value: 'x'.repeat(VALUE_UNITS) }, { key: 'accents', value: 'é'.repeat(VALUE_UNITS) }]);
    assert.equal(r.ok, true, JSON.stringify(r.error));
  });

  it('refuses a 1,024-unit value, a 256-unit key and 600 astral characters (1,200 units), writing nothing', async () => {
    for (const item of [{ key: 'big', value: 'x'.repeat(VALUE_UNITS + 1) }, { key: 'k'.repeat(KEY_UNITS + 1), value: 'x' }, { key: 'astral', value: '\u{1F600}'.repeat(600) }]) {
      const r = await set([{ key: 'first', value: 'ok' }, item]);
      assert.equal(r.ok, false, `${item.key.slice(0, 10)} accepted`);
      assert.equal(r.error?.code, 'INVALID_PARAMS');
    }
    const model = fleet.host(host.name)!.model() as { vms: { vmId: string; kvp: { host: Record<string, string> } }[] };
    const keys = Object.keys(model.vms.find((v) => v.vmId === vmId)!.kvp.host);
    assert.ok(!keys.includes('first') && !keys.includes('big') && !keys.includes('astral'), `nothing of a refused call is written: ${keys.join(',')}`);
  });

  it('the host-side store itself refuses an oversized item (the Hyper-V layer, whoever calls it)', () => {
    const kvp = new MemoryKvp();
    kvp.setHost('fits', 'x'.repeat(VALUE_UNITS));
    assert.throws(() => kvp.setHost('big', 'x'.repeat(VALUE_UNITS + 1)), /1,023|1023/);
    assert.throws(() => kvp.setHost('k'.repeat(KEY_UNITS + 1), 'x'), /255/);
    assert.equal(kvp.hostItems().has('big'), false);
  });
});

describe('a 10 KB guest configuration provisions end to end', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ hosts: 1, vmsPerHost: 0 });
  });
  after(async () => h.stop());

  it('many RSA SSH keys: the job succeeds, every chunk ≤ 1,000 characters', async () => {
    const keys = Array.from({ length: 4 }, (_, i) => sshRsaLine(3072, `seed${i}@example`));
    const users = Array.from({ length: 6 }, (_, u) => ({
      name: `ops${u}`, fullName: `Operator ${u} ${'of the night shift '.repeat(5).trim()}`, sudo: u === 0,
      sshAuthorizedKeys: keys.slice(0, 3).map((k, i) => `${k}-${u}-${i}`),
    }));
    const guest = { hostname: 'big-01', network: { ipv4: { address: '10.0.0.25', prefixLength: 24, gateway: '10.0.0.1' } }, users };
    const size = Buffer.byteLength(JSON.stringify(guest));
    assert.ok(size >= 10_000, `configuration is ${size} bytes`);
    const since = (await oplog(h.sim)).at(-1)?.seq ?? 0;
    const outcome = await runJob(h, 'provision', linuxRequest('big-01', { host: h.sim.hosts[0]!.name }, { guest, notes: 'n'.repeat(1000) }), { timeoutMs: 90_000 });
    assert.equal(outcome.state, 'succeeded', explain(outcome));
    const sets = (await oplog(h.sim, since)).filter((e) => e.operation === 'kvp.set');
    const values = sets.flatMap((e) => (e.params.items as { key: string; value: string }[]));
    const chunks = values.filter((i) => i.key.startsWith('aetherv.payload.') && i.key !== 'aetherv.payload.count');
    assert.ok(chunks.length >= 14, `${chunks.length} chunks for ${size} bytes`);
    for (const item of values) assert.ok(item.value.length <= 1000, `${item.key} has ${item.value.length} characters`);
  });
});
