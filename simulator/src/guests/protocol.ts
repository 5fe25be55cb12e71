/**
 * aetherv.kvp/1 from the guest's side (DESIGN §5): key names, and opening the payload with
 * node:crypto — RSA-OAEP-SHA-256 unwrap of Ke‖Km, HMAC-SHA-256 over "aetherv.kvp/1"‖IV‖C checked
 * in constant time before any AES-256-CBC decryption. Error summaries use the Linux agent's
 * fixed vocabulary (e.g. `error validating:mac`), so both guests report alike.
 */
import { createDecipheriv, createHmac, constants, privateDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';

export const KEYS = {
  hostVersion: 'aetherv.version',
  hostState: 'aetherv.host.state',
  key: 'aetherv.key',
  payloadCount: 'aetherv.payload.count',
  payload: (i: number) => `aetherv.payload.${i}`,
  guestState: 'aetherv.guest.state',
  guestPubkey: 'aetherv.guest.pubkey',
  guestError: 'aetherv.guest.error',
  guestVersion: 'aetherv.guest.version',
  guestIpv4: 'aetherv.guest.ipv4',
} as const;

export const GUEST_ITEM_KEYS = [KEYS.guestState, KEYS.guestPubkey, KEYS.guestError, KEYS.guestVersion, KEYS.guestIpv4];
const PROTOCOL = Buffer.from('aetherv.kvp/1', 'ascii');
const MAX_CHUNKS = 256;

/** Ends provisioning with a summary from the fixed vocabulary (never a secret). */
export class GuestFailure extends Error {
  constructor(readonly summary: string) {
    super(summary);
  }
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function strictBase64(text: string, summary: string): Buffer {
  if (text.length % 4 !== 0 || !B64.test(text)) throw new GuestFailure(summary);
  return Buffer.from(text, 'base64');
}

/** Reassembles, authenticates and decrypts the payload published by the orchestrator. */
export function openPayload(items: Map<string, string>, privateKey: KeyObject): Buffer {
  const count = items.get(KEYS.payloadCount) ?? '';
  if (!/^[0-9]{1,4}$/.test(count) || Number(count) < 1 || Number(count) > MAX_CHUNKS) throw new GuestFailure('error reading:payload-count');
  const chunks = Array.from({ length: Number(count) }, (_, i) => items.get(KEYS.payload(i)) ?? '');
  if (chunks.some((c) => c === '')) throw new GuestFailure('error reading:payload');
  const blob = strictBase64(chunks.join(''), 'error reading:payload');
  const wrapped = strictBase64(items.get(KEYS.key) ?? '', 'error reading:payload');
  if (wrapped.length === 0 || blob.length < 64 || (blob.length - 48) % 16 !== 0) throw new GuestFailure('error reading:payload');
  const iv = blob.subarray(0, 16);
  const ciphertext = blob.subarray(16, blob.length - 32);
  const tag = blob.subarray(blob.length - 32);

  let keys: Buffer;
  try {
    keys = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped);
  } catch {
    throw new GuestFailure('error decrypting:key');
  }
  if (keys.length !== 64) throw new GuestFailure('error decrypting:key');
  const encKey = keys.subarray(0, 32);
  const macKey = keys.subarray(32);
  const expected = createHmac('sha256', macKey).update(PROTOCOL).update(iv).update(ciphertext).digest();
  if (!timingSafeEqual(expected, tag)) throw new GuestFailure('error validating:mac');
  try {
    const decipher = createDecipheriv('aes-256-cbc', encKey, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } finally {
    keys.fill(0);
  }
}

export interface AppliedConfig {
  hostname?: string;
  ipv4?: string;
  dnsServers?: string[];
  adminUser?: string;
  users: string[];
  domain?: string;
}

const HOSTNAME = /^(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Checks the decrypted guest configuration and returns what the guest would apply (no secrets kept). */
export function readConfig(plaintext: Buffer): AppliedConfig {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext)) as Record<string, unknown>;
  } catch {
    throw new GuestFailure('error validating:config');
  }
  const bad = (): never => { throw new GuestFailure('error validating:config'); };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) bad();
  const out: AppliedConfig = { users: [] };
  if (doc.hostname !== undefined) {
    if (typeof doc.hostname !== 'string' || !HOSTNAME.test(doc.hostname)) bad();
    out.hostname = doc.hostname as string;
  }
  const admin = doc.localAdmin as { username?: unknown; password?: unknown } | undefined;
  if (admin !== undefined) {
    if (typeof admin !== 'object' || typeof admin.username !== 'string' || typeof admin.password !== 'string') bad();
    out.adminUser = admin.username as string;
  }
  const network = doc.network as { ipv4?: { address?: unknown }; dns?: { servers?: unknown } } | undefined;
  if (network?.ipv4 !== undefined) {
    if (typeof network.ipv4.address !== 'string' || !IPV4.test(network.ipv4.address)) bad();
    out.ipv4 = network.ipv4.address as string;
  }
  if (Array.isArray(network?.dns?.servers)) out.dnsServers = (network.dns.servers as unknown[]).map(String);
  if (Array.isArray(doc.users)) out.users = (doc.users as { name?: unknown }[]).map((u) => (typeof u?.name === 'string' ? u.name : bad()));
  const join = doc.domainJoin as { domain?: unknown } | undefined;
  if (typeof join?.domain === 'string') out.domain = join.domain;
  return out;
}
