/**
 * NTLM messages (MS-NLMP 2.2) and the NTLMv2 response computation (MS-NLMP 3.3.2).
 * Authentication only: no key exchange, signing or sealing (TLS protects the channel).
 * Node 20's OpenSSL 3 has no MD4, so NTOWFv2 uses js-md4.
 */
import { createHmac, randomBytes } from 'node:crypto';
import jsMd4 from 'js-md4';
import { AppError } from '../../../errors.ts';

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export const NTLM_FLAGS = {
  UNICODE: 0x00000001,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  N128: 0x20000000,
  N56: 0x80000000,
} as const;

/** Flags we ask for: Unicode strings, NTLM with extended session security, no sealing. */
export const CLIENT_FLAGS = (NTLM_FLAGS.UNICODE | NTLM_FLAGS.REQUEST_TARGET | NTLM_FLAGS.NTLM | NTLM_FLAGS.ALWAYS_SIGN
  | NTLM_FLAGS.EXTENDED_SESSIONSECURITY | NTLM_FLAGS.N128 | NTLM_FLAGS.N56) >>> 0;

const AV_EOL = 0;
const AV_TIMESTAMP = 7;
const AV_CHANNEL_BINDINGS = 10;

export function encodeNegotiate(flags = CLIENT_FLAGS): Buffer {
  const msg = Buffer.alloc(32);
  SIGNATURE.copy(msg, 0);
  msg.writeUInt32LE(1, 8);
  msg.writeUInt32LE(flags >>> 0, 12);
  // Domain and workstation fields stay empty (offset 32, length 0).
  msg.writeUInt32LE(32, 20);
  msg.writeUInt32LE(32, 28);
  return msg;
}

export interface ChallengeMessage {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: Buffer;
}

export function decodeChallenge(msg: Buffer): ChallengeMessage {
  if (msg.length < 32 || !msg.subarray(0, 8).equals(SIGNATURE) || msg.readUInt32LE(8) !== 2) {
    throw new AppError('REMOTE_AUTH', 'The host answered the NTLM negotiation with something that is not an NTLM challenge');
  }
  const flags = msg.readUInt32LE(20);
  const serverChallenge = Buffer.from(msg.subarray(24, 32));
  let targetInfo = Buffer.alloc(0);
  if (msg.length >= 48) {
    const length = msg.readUInt16LE(40);
    const offset = msg.readUInt32LE(44);
    if (length > 0 && offset + length <= msg.length) targetInfo = Buffer.from(msg.subarray(offset, offset + length));
  }
  return { flags, serverChallenge, targetInfo };
}

/** The value of one AV pair (MS-NLMP 2.2.2.1) in a target info block. */
export function findAvPair(targetInfo: Buffer, avId: number): Buffer | undefined {
  let offset = 0;
  while (offset + 4 <= targetInfo.length) {
    const id = targetInfo.readUInt16LE(offset);
    const length = targetInfo.readUInt16LE(offset + 2);
    if (id === AV_EOL) return undefined;
    if (id === avId) return targetInfo.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
  }
  return undefined;
}

/** The target info with one AV pair added (replacing one with the same id) before MsvAvEOL. */
export function withAvPair(targetInfo: Buffer, avId: number, value: Buffer): Buffer {
  const pairs: Buffer[] = [];
  let offset = 0;
  while (offset + 4 <= targetInfo.length) {
    const id = targetInfo.readUInt16LE(offset);
    const length = targetInfo.readUInt16LE(offset + 2);
    if (id === AV_EOL) break;
    if (id !== avId) pairs.push(targetInfo.subarray(offset, offset + 4 + length));
    offset += 4 + length;
  }
  const head = Buffer.alloc(4);
  head.writeUInt16LE(avId, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([...pairs, head, value, Buffer.alloc(4)]);
}

function utf16(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

function hmacMd5(key: Buffer, ...data: Buffer[]): Buffer {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
}

/** NTOWFv2 = HMAC_MD5(MD4(UNICODE(password)), UNICODE(UPPER(user) + domain)). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  const ntHash = Buffer.from(jsMd4.arrayBuffer(utf16(password)));
  return hmacMd5(ntHash, utf16(user.toUpperCase() + domain));
}

/** Windows FILETIME (100 ns ticks since 1601) as 8 little-endian bytes. */
export function fileTimeNow(): Buffer {
  const ticks = (BigInt(Date.now()) + 11644473600000n) * 10000n;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(ticks);
  return out;
}

export interface NtlmV2Input {
  user: string;
  domain: string;
  password: string;
  serverChallenge: Buffer;
  targetInfo: Buffer;
  clientChallenge?: Buffer;
  timestamp?: Buffer;
  /** MsvAvChannelBindings value (MD5 of the TLS channel bindings), over HTTPS. */
  channelBindingHash?: Buffer;
}

export interface NtlmV2Responses {
  ntChallengeResponse: Buffer;
  lmChallengeResponse: Buffer;
  ntProofStr: Buffer;
  sessionBaseKey: Buffer;
}

export function computeNtlmV2(input: NtlmV2Input): NtlmV2Responses {
  const key = ntowfv2(input.password, input.user, input.domain);
  const clientChallenge = input.clientChallenge ?? randomBytes(8);
  const serverTime = findAvPair(input.targetInfo, AV_TIMESTAMP);
  const timestamp = input.timestamp ?? (serverTime !== undefined ? Buffer.from(serverTime) : fileTimeNow());
  const targetInfo = input.channelBindingHash === undefined ? input.targetInfo : withAvPair(input.targetInfo, AV_CHANNEL_BINDINGS, input.channelBindingHash);
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]), timestamp, clientChallenge, Buffer.alloc(4), targetInfo, Buffer.alloc(4),
  ]);
  const ntProofStr = hmacMd5(key, input.serverChallenge, temp);
  // With a server timestamp the LM response must be zeros (MS-NLMP 3.1.5.1.2).
  const lmChallengeResponse = serverTime !== undefined
    ? Buffer.alloc(24)
    : Buffer.concat([hmacMd5(key, input.serverChallenge, clientChallenge), clientChallenge]);
  return {
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmChallengeResponse,
    ntProofStr,
    sessionBaseKey: hmacMd5(key, ntProofStr),
  };
}

export interface AuthenticateInput {
  flags: number;
  user: string;
  domain: string;
  workstation: string;
  lmChallengeResponse: Buffer;
  ntChallengeResponse: Buffer;
}

export function encodeAuthenticate(input: AuthenticateInput): Buffer {
  const header = 64;
  const fields = [
    input.lmChallengeResponse,
    input.ntChallengeResponse,
    utf16(input.domain),
    utf16(input.user),
    utf16(input.workstation),
    Buffer.alloc(0), // EncryptedRandomSessionKey: no key exchange
  ];
  const msg = Buffer.alloc(header + fields.reduce((n, f) => n + f.length, 0));
  SIGNATURE.copy(msg, 0);
  msg.writeUInt32LE(3, 8);
  let offset = header;
  fields.forEach((field, index) => {
    const at = 12 + index * 8;
    msg.writeUInt16LE(field.length, at);
    msg.writeUInt16LE(field.length, at + 2);
    msg.writeUInt32LE(offset, at + 4);
    field.copy(msg, offset);
    offset += field.length;
  });
  msg.writeUInt32LE(input.flags >>> 0, 60);
  return msg;
}

/** "DOMAIN\user" → domain + user; "user@realm" (UPN) stays whole with an empty domain. */
export function splitAccount(account: string): { user: string; domain: string } {
  const slash = account.indexOf('\\');
  if (slash >= 0) return { domain: account.slice(0, slash), user: account.slice(slash + 1) };
  return { domain: '', user: account };
}
