/**
 * The names, states and limits of the guest provisioning protocol `aetherv.kvp/1` (DESIGN §5).
 * The guest agents (Linux/, Windows/) and the simulator implement the same contract on their own;
 * change nothing here without changing DESIGN §5 first.
 */

import { readFileSync } from 'node:fs';

/** The protocol tag; also the MAC's domain-separation prefix. */
export const KVP_PROTOCOL = 'aetherv.kvp/1';

/** Items the host writes (External pool, host → guest). */
export const HOST_ITEM = {
  version: 'aetherv.version',
  state: 'aetherv.host.state',
  key: 'aetherv.key',
  payloadCount: 'aetherv.payload.count',
} as const;

/** `aetherv.payload.<index>`: one chunk of the encrypted blob. */
export function payloadItemName(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`invalid payload chunk index ${index}`);
  return `aetherv.payload.${index}`;
}

/** Items the guest writes (Guest pool, guest → host). */
export const GUEST_ITEM = {
  state: 'aetherv.guest.state',
  pubkey: 'aetherv.guest.pubkey',
  error: 'aetherv.guest.error',
  version: 'aetherv.guest.version',
  ipv4: 'aetherv.guest.ipv4',
} as const;

export const HOST_STATE = {
  awaitingKey: 'awaiting-key',
  payloadPublished: 'payload-published',
} as const;
export type HostState = (typeof HOST_STATE)[keyof typeof HOST_STATE];

export const GUEST_STATE = {
  awaitingPayload: 'awaiting-payload',
  applying: 'applying',
  applied: 'applied',
  failed: 'failed',
} as const;
export type GuestState = (typeof GUEST_STATE)[keyof typeof GUEST_STATE];

export function isGuestState(value: string): value is GuestState {
  return (Object.values(GUEST_STATE) as string[]).includes(value);
}

/**
 * A payload chunk holds at most this many base64 characters. A KVP value is UTF-16 in a 2,048-byte
 * field with its NUL (at most 1,023 code units: Schemas/agent/common.json kvpValue); 1,000 leaves room.
 */
export const PAYLOAD_CHUNK_CHARS = 1000;
/** Upper bound on `aetherv.payload.count`; guests refuse more. 256 × 1,000 chars ≈ 190 KB of configuration. */
export const MAX_PAYLOAD_CHUNKS = 256;
/** `aetherv.guest.error` is at most this long. */
export const GUEST_ERROR_MAX_CHARS = 200;

/** Item names the host removes after the handshake (every `aetherv.*` host item it wrote). */
export function hostItemNames(chunkCount: number): string[] {
  const names: string[] = [HOST_ITEM.version, HOST_ITEM.state, HOST_ITEM.key, HOST_ITEM.payloadCount];
  for (let i = 0; i < chunkCount; i++) names.push(payloadItemName(i));
  return names;
}

/**
 * The guest error vocabulary, one list shared with both guest agents: Schemas/guest-errors.json
 * (e.g. `error validating:mac`, `error applying:domain-join`, `error timeout:<stage>`).
 */
export const GUEST_ERROR_CODES: readonly string[] = (
  JSON.parse(readFileSync(new URL('../../../Schemas/guest-errors.json', import.meta.url), 'utf8')) as { codes: string[] }
).codes;

// Compiled once from the vocabulary, not per summary.
const GUEST_ERROR_PATTERNS: readonly RegExp[] = GUEST_ERROR_CODES.map((code) => {
  const pattern = code.split(/<[a-z]+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[A-Za-z0-9._-]+');
  return new RegExp(`^${pattern}$`);
});

/** Whether a summary is one of GUEST_ERROR_CODES (`<…>` placeholders match any lower-case word, digits, dots or hyphens). */
export function isKnownGuestError(summary: string): boolean {
  return GUEST_ERROR_PATTERNS.some((pattern) => pattern.test(summary));
}

/** The guest's error summary: `error <stage>:<detail>` or the bare fallback `error:unknown`. */
export interface GuestError {
  stage: string;
  detail: string;
}

export function parseGuestError(value: string): GuestError | undefined {
  const text = value.trim();
  if (text === 'error:unknown') return { stage: 'unknown', detail: '' };
  const match = /^error ([a-z-]+):(.*)$/s.exec(text);
  if (!match) return undefined;
  return { stage: match[1] as string, detail: match[2] as string };
}
