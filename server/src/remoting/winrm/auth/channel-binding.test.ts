// Channel binding hash cross-checked against an independent implementation (Debian's
// python3-ntlm-auth, used by pywinrm), for a SHA-256 and a SHA-384 signed certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateHashAlgorithm, ntlmChannelBindingHash } from './channel-binding.ts';
import { computeNtlmV2, findAvPair } from './ntlm-messages.ts';

function selfSigned(dir: string, digest: string, keyAlg: string[]): Buffer {
  const der = join(dir, `${digest}.der`);
  const key = join(dir, `${digest}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', ...keyAlg, '-nodes', '-keyout', key, '-subj', '/CN=hv01.lab.test', `-${digest}`, '-days', '2', '-outform', 'DER', '-out', der], { stdio: 'ignore' });
  return readFileSync(der);
}

/** ntlm_auth's own computation: md5(GssChannelBindingsStruct with tls-server-end-point:hash). */
function pythonBinding(cert: Buffer, hash: string): string {
  const script = [
    'import sys, hashlib', 'from ntlm_auth.gss_channel_bindings import GssChannelBindingsStruct',
    'cert = bytes.fromhex(sys.argv[1])', 's = GssChannelBindingsStruct()',
    "s[s.APPLICATION_DATA] = b'tls-server-end-point:' + hashlib.new(sys.argv[2], cert).digest()",
    'print(hashlib.md5(s.get_data()).hexdigest())',
  ].join('\n');
  return execFileSync('/usr/bin/python3', ['-c', script, cert.toString('hex'), hash], { encoding: 'utf8' }).trim();
}

test('tls-server-end-point binding matches ntlm_auth for SHA-256 and SHA-384 certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cbt-'));
  try {
    const rsa = selfSigned(dir, 'sha256', ['rsa:2048']);
    const ec = selfSigned(dir, 'sha384', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-384']);
    assert.equal(certificateHashAlgorithm(rsa), 'sha256');
    assert.equal(certificateHashAlgorithm(ec), 'sha384');
    assert.equal(ntlmChannelBindingHash(rsa).toString('hex'), pythonBinding(rsa, 'sha256'));
    assert.equal(ntlmChannelBindingHash(ec).toString('hex'), pythonBinding(ec, 'sha384'));

    // The binding lands in the NTLMv2 blob's target info, before MsvAvEOL.
    const targetInfo = Buffer.from('02000c0044006f006d00610069006e0000000000', 'hex');
    const r = computeNtlmV2({ user: 'u', domain: 'D', password: 'p', serverChallenge: Buffer.alloc(8), targetInfo, channelBindingHash: ntlmChannelBindingHash(rsa) });
    const blobInfo = r.ntChallengeResponse.subarray(16 + 28, r.ntChallengeResponse.length - 4);
    assert.deepEqual(findAvPair(blobInfo, 10), ntlmChannelBindingHash(rsa));
    assert.deepEqual(findAvPair(blobInfo, 2), Buffer.from('Domain', 'utf16le'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
