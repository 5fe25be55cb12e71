/**
 * The server side of NTLM (MS-NLMP) as far as a client needs to authenticate: answer the
 * NEGOTIATE message with a CHALLENGE and verify the NTLMv2 response of the AUTHENTICATE
 * message against the configured password. No signing or sealing (used over TLS, or over HTTP
 * only where unencrypted traffic is allowed). NTLMv1 is refused, as hardened Windows does.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

// js-md4 has no type declarations; Node 20's OpenSSL 3 no longer offers MD4.
const md4 = createRequire(import.meta.url)('js-md4') as { arrayBuffer(data: Uint8Array): ArrayBuffer };

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

const FLAG = {
  unicode: 0x1,
  oem: 0x2,
  requestTarget: 0x4,
  sign: 0x10,
  seal: 0x20,
  ntlm: 0x200,
  alwaysSign: 0x8000,
  targetTypeServer: 0x20000,
  extendedSessionSecurity: 0x80000,
  targetInfo: 0x800000,
  version: 0x2000000,
  bits128: 0x20000000,
  keyExchange: 0x40000000,
  bits56: 0x80000000,
} as const;

export function isNtlmToken(token: Buffer): boolean {
  return token.length >= 12 && token.subarray(0, 8).equals(SIGNATURE);
}

export function messageType(token: Buffer): number {
  return token.readUInt32LE(8);
}

function utf16(value: string): Buffer {
  return Buffer.from(value, 'utf16le');
}

function avPair(id: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(id, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value]);
}

function fileTimeNow(): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n);
  return b;
}

export interface NtlmChallengeState {
  serverChallenge: Buffer;
}

/** Builds the CHALLENGE message for a NEGOTIATE message. */
export function challenge(negotiate: Buffer, computerName: string, domainName: string): { message: Buffer; state: NtlmChallengeState } {
  const clientFlags = negotiate.length >= 16 ? negotiate.readUInt32LE(12) : 0;
  const optional = FLAG.sign | FLAG.seal | FLAG.bits128 | FLAG.bits56 | FLAG.keyExchange | FLAG.alwaysSign;
  const flags = ((clientFlags & optional) | FLAG.unicode | FLAG.requestTarget | FLAG.ntlm | FLAG.targetTypeServer |
    FLAG.extendedSessionSecurity | FLAG.targetInfo | FLAG.version) >>> 0;
  const serverChallenge = randomBytes(8);
  const target = utf16(domainName.toUpperCase());
  const info = Buffer.concat([
    avPair(2, utf16(domainName.toUpperCase())),
    avPair(1, utf16(computerName.toUpperCase())),
    avPair(4, utf16(domainName.toLowerCase())),
    avPair(3, utf16(computerName.toLowerCase())),
    avPair(7, fileTimeNow()),
    avPair(0, Buffer.alloc(0)),
  ]);
  const header = Buffer.alloc(56);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(target.length, 12);
  header.writeUInt16LE(target.length, 14);
  header.writeUInt32LE(56, 16);
  header.writeUInt32LE(flags, 20);
  serverChallenge.copy(header, 24);
  header.writeUInt16LE(info.length, 40);
  header.writeUInt16LE(info.length, 42);
  header.writeUInt32LE(56 + target.length, 44);
  // Version: Windows Server 2022 (10.0 build 20348), NTLM revision 15.
  header.writeUInt8(10, 48);
  header.writeUInt8(0, 49);
  header.writeUInt16LE(20348, 50);
  header.writeUInt8(15, 55);
  return { message: Buffer.concat([header, target, info]), state: { serverChallenge } };
}

export interface NtlmIdentity { user: string; domain: string }

function field(msg: Buffer, at: number): Buffer {
  if (msg.length < at + 8) throw new Error('truncated NTLM message');
  const len = msg.readUInt16LE(at);
  const offset = msg.readUInt32LE(at + 4);
  if (offset + len > msg.length) throw new Error('NTLM field out of range');
  return msg.subarray(offset, offset + len);
}

/** Reads the AUTHENTICATE message's identity (user, domain) without verifying it. */
export function identity(authenticate: Buffer): NtlmIdentity {
  const flags = authenticate.readUInt32LE(60);
  const decode = (b: Buffer): string => (flags & FLAG.unicode ? b.toString('utf16le') : b.toString('latin1'));
  return { domain: decode(field(authenticate, 28)), user: decode(field(authenticate, 36)) };
}

/** true when the NTLMv2 response proves knowledge of `password` for the identity in the message. */
export function verify(authenticate: Buffer, state: NtlmChallengeState, password: string): boolean {
  try {
    if (!isNtlmToken(authenticate) || messageType(authenticate) !== 3) return false;
    const { user, domain } = identity(authenticate);
    const nt = field(authenticate, 20);
    if (!user || nt.length <= 24) return false;
    const ntHash = Buffer.from(md4.arrayBuffer(utf16(password)));
    const ntowf2 = createHmac('md5', ntHash).update(utf16(user.toUpperCase() + domain)).digest();
    const proof = nt.subarray(0, 16);
    const blob = nt.subarray(16);
    const expected = createHmac('md5', ntowf2).update(Buffer.concat([state.serverChallenge, blob])).digest();
    return timingSafeEqual(proof, expected);
  } catch {
    return false;
  }
}
