/**
 * The guest's public key, as it publishes it in `aetherv.guest.pubkey`: a JWK
 * `{"kty":"RSA","n":<base64url>,"e":<base64url>}`. Anything else — another key type, a modulus
 * too short to wrap 64 bytes of keys safely, an exponent other than 65537 — is refused, because
 * a guest (or whoever wrote into its KVP pool) chose it, not us.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { AppError } from '../errors.ts';

export const MIN_MODULUS_BITS = 3072;
/** The wrapped key must fit one KVP value: 8,192 bits → 1,368 base64 characters. */
export const MAX_MODULUS_BITS = 8192;
/** A JWK is a few hundred characters; refuse to parse anything absurd. */
const MAX_JWK_CHARS = 4096;

function invalid(reason: string): AppError {
  return new AppError('GUEST_KEY_INVALID', `Guest public key refused: ${reason}`);
}

function base64urlBytes(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || value.length === 0 || !/^[A-Za-z0-9_-]+$/.test(value)) {
    throw invalid(`"${field}" must be a non-empty base64url string without padding`);
  }
  return Buffer.from(value, 'base64url');
}

function stripLeadingZeros(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** Parses and checks the guest's JWK text; returns a public KeyObject for RSA-OAEP wrapping. */
export function parseGuestPublicKey(jwkText: string): KeyObject {
  if (jwkText.length > MAX_JWK_CHARS) throw invalid('longer than a JWK can be');
  let jwk: unknown;
  try {
    jwk = JSON.parse(jwkText);
  } catch {
    throw invalid('not JSON');
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalid('not a JSON object');
  const fields = jwk as Record<string, unknown>;
  if (fields.kty !== 'RSA') throw invalid('"kty" must be "RSA"');
  if ('d' in fields || 'p' in fields || 'q' in fields) throw invalid('it contains private key material');

  const n = stripLeadingZeros(base64urlBytes(fields.n, 'n'));
  const e = stripLeadingZeros(base64urlBytes(fields.e, 'e'));
  const bits = n.length * 8 - Math.clz32(n[0] ?? 0) + 24;
  if (bits < MIN_MODULUS_BITS) throw invalid(`modulus has ${bits} bits; at least ${MIN_MODULUS_BITS} are required`);
  if (bits > MAX_MODULUS_BITS) throw invalid(`modulus has ${bits} bits; at most ${MAX_MODULUS_BITS} are allowed`);
  if (((n[n.length - 1] ?? 0) & 1) === 0) throw invalid('modulus is even');
  if (e.length !== 3 || e.readUIntBE(0, 3) !== 65537) throw invalid('public exponent must be 65537');

  try {
    return createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') }, format: 'jwk' });
  } catch (cause) {
    throw new AppError('GUEST_KEY_INVALID', 'Guest public key refused: not a valid RSA public key', { cause });
  }
}
