import assert from 'node:assert/strict';
import { constants, createDecipheriv, createHmac, generateKeyPairSync, privateDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../errors.ts';
import { MAX_PAYLOAD_CHUNKS, PAYLOAD_CHUNK_CHARS } from './kvp-protocol.ts';
import { chunkBlob, sealPayload } from './payload-seal.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });

/** An independent decryptor, written from DESIGN §5 (not shared with the code under test). */
function open(wrappedKey: string, blob: string, key: KeyObject): Buffer {
  const keys = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(wrappedKey, 'base64'));
  assert.equal(keys.length, 64);
  const raw = Buffer.from(blob, 'base64');
  const iv = raw.subarray(0, 16);
  const ciphertext = raw.subarray(16, raw.length - 32);
  const tag = raw.subarray(raw.length - 32);
  const expected = createHmac('sha256', keys.subarray(32)).update(Buffer.concat([Buffer.from('aetherv.kvp/1'), iv, ciphertext])).digest();
  if (!timingSafeEqual(expected, tag)) throw new Error('MAC mismatch');
  const decipher = createDecipheriv('aes-256-cbc', keys.subarray(0, 32), iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

describe('payload sealing', () => {
  test('round-trips through an independent decryptor, non-ASCII included', () => {
    const plaintext = Buffer.from(JSON.stringify({ hostname: 'web-01', users: [{ name: 'a', fullName: 'Jürgen Müller €' }] }), 'utf8');
    const sealed = sealPayload(plaintext, publicKey);
    assert.deepEqual(open(sealed.wrappedKey, sealed.blob, privateKey), plaintext);
    assert.equal(Buffer.from(sealed.wrappedKey, 'base64').length, 384, 'RSA-3072 ciphertext');
  });

  test('blob layout is IV ‖ C ‖ T with PKCS#7 padding; fresh keys and IV every time', () => {
    for (const size of [0, 1, 15, 16, 17, 1000]) {
      const sealed = sealPayload(Buffer.alloc(size, 0x41), publicKey);
      const raw = Buffer.from(sealed.blob, 'base64');
      assert.equal(raw.length, 16 + (Math.floor(size / 16) + 1) * 16 + 32, `size ${size}`);
      assert.deepEqual(open(sealed.wrappedKey, sealed.blob, privateKey), Buffer.alloc(size, 0x41));
    }
    const a = sealPayload(Buffer.from('same'), publicKey);
    const b = sealPayload(Buffer.from('same'), publicKey);
    assert.notEqual(a.blob.slice(0, 22), b.blob.slice(0, 22), 'IVs differ');
    assert.notEqual(a.wrappedKey, b.wrappedKey);
  });

  test('the MAC covers the domain tag, the IV and every ciphertext byte', () => {
    const sealed = sealPayload(Buffer.from('{"hostname":"x"}'), publicKey);
    const raw = Buffer.from(sealed.blob, 'base64');
    for (const at of [0, 15, 16, raw.length - 33, raw.length - 1]) {
      const bent = Buffer.from(raw);
      bent[at] = (bent[at] ?? 0) ^ 0x01;
      assert.throws(() => open(sealed.wrappedKey, bent.toString('base64'), privateKey), /MAC mismatch/, `byte ${at}`);
    }
    // Known answer with fixed randomness: T = HMAC(Km, "aetherv.kvp/1" ‖ IV ‖ C).
    const fixed = { encryptionKey: Buffer.alloc(32, 1), macKey: Buffer.alloc(32, 2), iv: Buffer.alloc(16, 3) };
    const known = Buffer.from(sealPayload(Buffer.from('abc'), publicKey, fixed).blob, 'base64');
    const c = known.subarray(16, 32);
    const cipher = createDecipheriv('aes-256-cbc', fixed.encryptionKey, fixed.iv);
    assert.equal(Buffer.concat([cipher.update(c), cipher.final()]).toString(), 'abc');
    const t = createHmac('sha256', fixed.macKey).update('aetherv.kvp/1').update(fixed.iv).update(c).digest();
    assert.deepEqual(known.subarray(32), t);
  });
});

describe('chunking', () => {
  test('exactly 1,000 characters is one chunk; 1,001 is two; every chunk ≤ 1,000; order kept', () => {
    assert.equal(PAYLOAD_CHUNK_CHARS, 1000, 'a KVP value holds 1,023 UTF-16 code units (DESIGN §5)');
    assert.deepEqual(chunkBlob('a'.repeat(PAYLOAD_CHUNK_CHARS)), ['a'.repeat(1000)]);
    assert.deepEqual(chunkBlob(`${'a'.repeat(1000)}b`), ['a'.repeat(1000), 'b']);
    const blob = Array.from({ length: 2500 }, (_, i) => 'ABCDEFGHIJ'[i % 10]).join('');
    const chunks = chunkBlob(blob);
    assert.deepEqual(chunks.map((c) => c.length), [1000, 1000, 500]);
    assert.equal(chunks.join(''), blob);
  });

  test('an empty blob is refused; a blob needing too many chunks is GUEST_PAYLOAD_TOO_LARGE', () => {
    assert.throws(() => chunkBlob(''), RangeError);
    assert.equal(chunkBlob('x'.repeat(PAYLOAD_CHUNK_CHARS * MAX_PAYLOAD_CHUNKS)).length, MAX_PAYLOAD_CHUNKS);
    assert.throws(() => chunkBlob('x'.repeat(PAYLOAD_CHUNK_CHARS * MAX_PAYLOAD_CHUNKS + 1)), (e) => isAppError(e) && e.code === 'GUEST_PAYLOAD_TOO_LARGE');
  });
});
