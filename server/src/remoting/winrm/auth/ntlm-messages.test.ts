// NTLMv2 against the worked example of MS-NLMP §4.2.4, and message layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeNtlmV2, decodeChallenge, encodeAuthenticate, encodeNegotiate, findAvPair, ntowfv2, splitAccount } from './ntlm-messages.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
// MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL.
const targetInfo = hex('02000c0044006f006d00610069006e00 01000c005300650072007600650072 00 0000 0000');

test('NTOWFv2, NTProofStr, LMv2 and session base key match MS-NLMP 4.2.4', () => {
  assert.deepEqual(ntowfv2('Password', 'User', 'Domain'), hex('0c868a403bfd7a93a3001ef22ef02e3f'));
  const r = computeNtlmV2({
    user: 'User', domain: 'Domain', password: 'Password',
    serverChallenge: hex('0123456789abcdef'), targetInfo,
    clientChallenge: hex('aaaaaaaaaaaaaaaa'), timestamp: Buffer.alloc(8),
  });
  assert.deepEqual(r.ntProofStr, hex('68cd0ab851e51c96aabc927bebef6a1c'));
  assert.deepEqual(r.lmChallengeResponse, hex('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa'));
  assert.deepEqual(r.sessionBaseKey, hex('8de40ccadbc14a82f15cb0ad0de95ca3'));
  // temp = 0101 Z(6) time clientChallenge Z(4) targetInfo Z(4)
  assert.deepEqual(r.ntChallengeResponse.subarray(16, 24), hex('0101000000000000'));
  assert.deepEqual(r.ntChallengeResponse.subarray(r.ntChallengeResponse.length - 4 - targetInfo.length, r.ntChallengeResponse.length - 4), targetInfo);
});

test('a server timestamp is used and the LM response is zeroed', () => {
  const stamp = hex('0090d336b734c301');
  const info = Buffer.concat([hex('07000800'), stamp, hex('00000000')]);
  assert.deepEqual(findAvPair(info, 7), stamp);
  const r = computeNtlmV2({ user: 'u', domain: '', password: 'p', serverChallenge: Buffer.alloc(8, 1), targetInfo: info });
  assert.deepEqual(r.lmChallengeResponse, Buffer.alloc(24));
  assert.deepEqual(r.ntChallengeResponse.subarray(24, 32), stamp);
});

test('Negotiate and Authenticate messages have the NTLMSSP layout; Challenge decodes', () => {
  const negotiate = encodeNegotiate();
  assert.equal(negotiate.subarray(0, 8).toString('latin1'), 'NTLMSSP\0');
  assert.equal(negotiate.readUInt32LE(8), 1);

  const challenge = Buffer.alloc(48 + targetInfo.length);
  challenge.write('NTLMSSP\0', 0, 'latin1');
  challenge.writeUInt32LE(2, 8);
  challenge.writeUInt32LE(0x00898205, 20);
  hex('0123456789abcdef').copy(challenge, 24);
  challenge.writeUInt16LE(targetInfo.length, 40);
  challenge.writeUInt16LE(targetInfo.length, 42);
  challenge.writeUInt32LE(48, 44);
  targetInfo.copy(challenge, 48);
  const decoded = decodeChallenge(challenge);
  assert.deepEqual(decoded.serverChallenge, hex('0123456789abcdef'));
  assert.deepEqual(decoded.targetInfo, targetInfo);
  assert.throws(() => decodeChallenge(negotiate), { code: 'REMOTE_AUTH' });

  const msg = encodeAuthenticate({ flags: 0x88201, user: 'User', domain: 'Domain', workstation: '', lmChallengeResponse: Buffer.alloc(24, 1), ntChallengeResponse: Buffer.alloc(40, 2) });
  assert.equal(msg.readUInt32LE(8), 3);
  const field = (at: number) => msg.subarray(msg.readUInt32LE(at + 4), msg.readUInt32LE(at + 4) + msg.readUInt16LE(at));
  assert.deepEqual(field(12), Buffer.alloc(24, 1));
  assert.deepEqual(field(20), Buffer.alloc(40, 2));
  assert.equal(field(28).toString('utf16le'), 'Domain');
  assert.equal(field(36).toString('utf16le'), 'User');
  assert.equal(msg.readUInt32LE(60), 0x88201);
});

test('account names split into domain and user', () => {
  assert.deepEqual(splitAccount('LAB\\admin'), { domain: 'LAB', user: 'admin' });
  assert.deepEqual(splitAccount('admin@lab.test'), { domain: '', user: 'admin@lab.test' });
  assert.deepEqual(splitAccount('admin'), { domain: '', user: 'admin' });
});
