/**
 * What the host publishes, in which order (DESIGN §5). The job engine writes these items one by
 * one through `kvp.set`, in array order, waiting for each to be acknowledged: the order is the
 * protocol (version before state; chunks and count before `payload-published`).
 */
import { assertGuestConfig } from './guest-config.ts';
import { parseGuestPublicKey } from './guest-key.ts';
import { HOST_ITEM, HOST_STATE, payloadItemName } from './kvp-protocol.ts';
import { chunkBlob, sealPayload, type SealRandomness } from './payload-seal.ts';

export interface KvpItem {
  name: string;
  value: string;
}

/** Items that open the handshake: `aetherv.version` first, then `aetherv.host.state=awaiting-key`. */
export function handshakeStartItems(version: string): KvpItem[] {
  const trimmed = version.trim();
  if (trimmed === '' || [...trimmed].some((c) => c < ' ' || c === '\u007f')) throw new RangeError('version must be a non-empty printable string');
  return [
    { name: HOST_ITEM.version, value: trimmed },
    { name: HOST_ITEM.state, value: HOST_STATE.awaitingKey },
  ];
}

/**
 * The encrypted configuration for the guest that published `guestPubkeyJwk`:
 * `aetherv.key`, `aetherv.payload.count`, `aetherv.payload.0…n-1`, then
 * `aetherv.host.state=payload-published`. Validates the configuration first
 * (GUEST_CONFIG_INVALID), refuses unusable keys (GUEST_KEY_INVALID) and oversize payloads
 * (GUEST_PAYLOAD_TOO_LARGE). The returned values are ciphertext only.
 */
export function payloadItems(config: unknown, guestPubkeyJwk: string, randomness?: SealRandomness): KvpItem[] {
  const valid = assertGuestConfig(config);
  const guestKey = parseGuestPublicKey(guestPubkeyJwk);
  const plaintext = Buffer.from(JSON.stringify(valid), 'utf8');
  try {
    const sealed = sealPayload(plaintext, guestKey, randomness);
    const chunks = chunkBlob(sealed.blob);
    return [
      { name: HOST_ITEM.key, value: sealed.wrappedKey },
      { name: HOST_ITEM.payloadCount, value: String(chunks.length) },
      ...chunks.map((value, i) => ({ name: payloadItemName(i), value })),
      { name: HOST_ITEM.state, value: HOST_STATE.payloadPublished },
    ];
  } finally {
    plaintext.fill(0);
  }
}
