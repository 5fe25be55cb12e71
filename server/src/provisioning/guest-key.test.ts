import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../errors.ts';
import { parseGuestPublicKey } from './guest-key.ts';

const rsa3072 = generateKeyPairSync('rsa', { modulusLength: 3072 });
const jwk3072 = rsa3072.publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string };

function refusal(text: string): string {
  try {
    parseGuestPublicKey(text);
  } catch (error) {
    assert.ok(isAppError(error) && error.code === 'GUEST_KEY_INVALID', String(error));
    return error.message;
  }
  return assert.fail('expected GUEST_KEY_INVALID');
}

describe('guest public key (JWK)', () => {
  test('accepts an RSA-3072 JWK with e=65537, as the guest publishes it', () => {
    const key = parseGuestPublicKey(JSON.stringify({ kty: 'RSA', n: jwk3072.n, e: jwk3072.e }));
    assert.equal(key.type, 'public');
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 3072);
    assert.equal(key.asymmetricKeyDetails?.publicExponent, 65537n);
  });

  test('tolerates a leading zero octet in n (some encoders keep the DER sign byte)', () => {
    const n = Buffer.concat([Buffer.from([0]), Buffer.from(jwk3072.n, 'base64url')]).toString('base64url');
    assert.equal(parseGuestPublicKey(JSON.stringify({ kty: 'RSA', n, e: 'AQAB' })).asymmetricKeyDetails?.modulusLength, 3072);
  });

  test('refuses other key types, short moduli, odd exponents, private keys and junk', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    assert.match(refusal(JSON.stringify(ec)), /"kty" must be "RSA"/);
    const short = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    assert.match(refusal(JSON.stringify(short)), /modulus has 2048 bits; at least 3072/);
    assert.match(refusal(JSON.stringify({ ...jwk3072, e: 'Aw' })), /exponent must be 65537/);
    assert.match(refusal(JSON.stringify(rsa3072.privateKey.export({ format: 'jwk' }))), /private key material/);
    const even = Buffer.from(jwk3072.n, 'base64url');
    even[even.length - 1] = (even[even.length - 1] ?? 0) & 0xfe;
    assert.match(refusal(JSON.stringify({ kty: 'RSA', n: even.toString('base64url'), e: 'AQAB' })), /even/);
    const huge = Buffer.alloc(1025, 0xff).toString('base64url');
    assert.match(refusal(JSON.stringify({ kty: 'RSA', n: huge, e: 'AQAB' })), /modulus has 8200 bits; at most 8192/);
    assert.match(refusal('not json'), /not JSON/);
    assert.match(refusal('[]'), /not a JSON object/);
    assert.match(refusal(JSON.stringify({ kty: 'RSA', n: `${jwk3072.n}==`, e: 'AQAB' })), /"n" must be a non-empty base64url/);
    assert.match(refusal(JSON.stringify({ kty: 'RSA', e: 'AQAB' })), /"n" must be/);
  });
});
