/**
 * The host side of the `aetherv.kvp/1` cryptography (DESIGN §5, steps 1–4):
 *   Ke, Km ← 32 random bytes each
 *   key    = base64(RSA-OAEP-SHA-256/MGF1-SHA-256(guest public key, Ke‖Km))
 *   C      = AES-256-CBC/PKCS#7(Ke, IV, P)          with IV ← 16 random bytes
 *   T      = HMAC-SHA-256(Km, "aetherv.kvp/1" ‖ IV ‖ C)
 *   blob   = base64(IV ‖ C ‖ T), cut into chunks of at most 1,000 characters.
 * Pure functions over node:crypto: no I/O, nothing logged.
 */
import { constants, createCipheriv, createHmac, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { AppError } from '../errors.ts';
import { KVP_PROTOCOL, MAX_PAYLOAD_CHUNKS, PAYLOAD_CHUNK_CHARS } from './kvp-protocol.ts';

export const KEY_BYTES = 32;
export const IV_BYTES = 16;
export const MAC_BYTES = 32;

export interface SealedPayload {
  /** Value of `aetherv.key`: base64 of the RSA-OAEP-wrapped Ke‖Km. */
  wrappedKey: string;
  /** base64(IV ‖ C ‖ T), before chunking. */
  blob: string;
}

/** Optional fixed randomness, so tests can check known answers; production never passes it. */
export interface SealRandomness {
  encryptionKey: Buffer;
  macKey: Buffer;
  iv: Buffer;
}

function drawRandomness(): SealRandomness {
  return { encryptionKey: randomBytes(KEY_BYTES), macKey: randomBytes(KEY_BYTES), iv: randomBytes(IV_BYTES) };
}

/** Encrypts and authenticates `plaintext` for the guest holding the private half of `guestKey`. */
export function sealPayload(plaintext: Buffer, guestKey: KeyObject, randomness: SealRandomness = drawRandomness()): SealedPayload {
  const { encryptionKey, macKey, iv } = randomness;
  if (encryptionKey.length !== KEY_BYTES || macKey.length !== KEY_BYTES || iv.length !== IV_BYTES) {
    throw new RangeError('seal randomness has the wrong sizes');
  }
  const keys = Buffer.concat([encryptionKey, macKey]);
  try {
    const wrapped = publicEncrypt({ key: guestKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, keys);
    // node:crypto's OAEP uses the OAEP hash for MGF1 too: MGF1-SHA-256, as the protocol requires.
    const cipher = createCipheriv('aes-256-cbc', encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = createHmac('sha256', macKey).update(KVP_PROTOCOL).update(iv).update(ciphertext).digest();
    return { wrappedKey: wrapped.toString('base64'), blob: Buffer.concat([iv, ciphertext, tag]).toString('base64') };
  } finally {
    keys.fill(0);
  }
}

/** Cuts the blob into `aetherv.payload.<i>` values of at most PAYLOAD_CHUNK_CHARS (1,000) characters each. */
export function chunkBlob(blob: string, chunkChars: number = PAYLOAD_CHUNK_CHARS): string[] {
  if (!Number.isSafeInteger(chunkChars) || chunkChars < 1) throw new RangeError('chunk size must be a positive integer');
  if (blob.length === 0) throw new RangeError('an empty blob cannot be published');
  const chunks: string[] = [];
  for (let at = 0; at < blob.length; at += chunkChars) chunks.push(blob.slice(at, at + chunkChars));
  if (chunks.length > MAX_PAYLOAD_CHUNKS) {
    throw new AppError(
      'GUEST_PAYLOAD_TOO_LARGE',
      `Guest configuration needs ${chunks.length} KVP chunks; at most ${MAX_PAYLOAD_CHUNKS} are allowed`,
    );
  }
  return chunks;
}
