import assert from 'node:assert/strict';
import { constants, createDecipheriv, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../errors.ts';
import { GUEST_ERROR_MAX_CHARS, hostItemNames, parseGuestError } from './kvp-protocol.ts';
import { handshakeStartItems, payloadItems } from './publication.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
const jwk = JSON.stringify(publicKey.export({ format: 'jwk' }));

describe('what the host publishes', () => {
  test('the handshake opens with the version first, then awaiting-key', () => {
    assert.deepEqual(handshakeStartItems(' 1.2.3\n'), [
      { name: 'aetherv.version', value: '1.2.3' },
      { name: 'aetherv.host.state', value: 'awaiting-key' },
    ]);
    assert.throws(() => handshakeStartItems('  '), RangeError);
    assert.throws(() => handshakeStartItems('1.0\u0000'), RangeError);
  });

  test('payload items come in protocol order, fit KVP values, and decrypt to the configuration', () => {
    const longKey = `ssh-rsa AAAA${'B'.repeat(2988)}`;
    const config = { hostname: 'web-01', users: [{ name: 'ansible', sshAuthorizedKeys: [longKey], sudo: true }] };
    const items = payloadItems(config, jwk);
    const names = items.map((i) => i.name);
    const count = Number(items.find((i) => i.name === 'aetherv.payload.count')?.value);
    assert.ok(count >= 2, 'a 3,000-character key needs several chunks');
    assert.deepEqual(names, [
      'aetherv.key',
      'aetherv.payload.count',
      ...Array.from({ length: count }, (_, i) => `aetherv.payload.${i}`),
      'aetherv.host.state',
    ]);
    assert.equal(items.at(-1)?.value, 'payload-published');
    for (const item of items) assert.ok(item.value.length <= 1000, item.name);
    assert.deepEqual(hostItemNames(count).sort(), [...names, 'aetherv.version'].sort());

    const keys = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(items[0]?.value ?? '', 'base64'));
    const raw = Buffer.from(items.slice(2, 2 + count).map((i) => i.value).join(''), 'base64');
    const decipher = createDecipheriv('aes-256-cbc', keys.subarray(0, 32), raw.subarray(0, 16));
    const plaintext = Buffer.concat([decipher.update(raw.subarray(16, raw.length - 32)), decipher.final()]);
    assert.deepEqual(JSON.parse(plaintext.toString('utf8')), config);
    assert.equal(items.some((i) => i.value.includes('web-01')), false, 'only ciphertext is published');
  });

  test('an invalid configuration or key is refused before anything is published', () => {
    assert.throws(() => payloadItems({ hostname: '-x' }, jwk), (e) => isAppError(e) && e.code === 'GUEST_CONFIG_INVALID');
    assert.throws(() => payloadItems({ hostname: 'x' }, '{"kty":"oct","k":"AA"}'), (e) => isAppError(e) && e.code === 'GUEST_KEY_INVALID');
  });

  test('guest error summaries parse into stage and detail', () => {
    assert.deepEqual(parseGuestError('error validating:mac'), { stage: 'validating', detail: 'mac' });
    assert.deepEqual(parseGuestError('error version-mismatch:1.0!=1.1'), { stage: 'version-mismatch', detail: '1.0!=1.1' });
    assert.deepEqual(parseGuestError('error:unknown'), { stage: 'unknown', detail: '' });
    assert.equal(parseGuestError('all fine'), undefined);
    assert.equal(GUEST_ERROR_MAX_CHARS, 200);
  });
});
