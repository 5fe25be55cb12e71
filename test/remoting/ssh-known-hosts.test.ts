import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { parseKnownHosts, hostEntryName, fingerprint } from '../../server/src/remoting/ssh/known-hosts.ts';

const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIBzDNaK5w5s0MiT4q2V1WWp2HgqBZ1Hq0w9lkF5Y9o3W';
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIPk6ebGrXb5l8Dd6b4w3nyM3Y8sW0vUAoHkHKQ3z8v1A';

describe('known_hosts parsing', () => {
  it('matches plain names, [host]:port, wildcards and negation', () => {
    const kh = parseKnownHosts([
      '# comment',
      `hv01,hv01.corp.example ssh-ed25519 ${KEY_A}`,
      `[hv02]:2222 ssh-ed25519 ${KEY_B}`,
      `*.lab.example,!bad.lab.example ssh-ed25519 ${KEY_B}`,
      '@cert-authority *.corp.example ssh-ed25519 ' + KEY_A,
      'garbage',
    ].join('\n'));
    assert.equal(kh.keysFor('HV01', 22).length, 1);
    assert.equal(kh.keysFor('hv01.corp.example', 22)[0]!.blob.toString('base64'), KEY_A);
    assert.equal(kh.keysFor('hv01', 2222).length, 0, 'a non-22 port needs its own [host]:port entry');
    assert.equal(kh.keysFor('hv02', 2222).length, 1);
    assert.equal(kh.keysFor('hv02', 22).length, 0);
    assert.equal(kh.keysFor('x.lab.example', 22).length, 1);
    assert.equal(kh.keysFor('bad.lab.example', 22).length, 0);
    assert.equal(kh.keysFor('other.corp.example', 22).length, 0, '@cert-authority lines are not host keys');
  });

  it('matches hashed entries (|1|salt|HMAC-SHA1) and flags @revoked keys', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    const hashed = (name: string) => `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
    const kh = parseKnownHosts(`${hashed('[127.0.0.2]:2201')} ssh-ed25519 ${KEY_A}\n@revoked ${hashed('hv09')} ssh-ed25519 ${KEY_B}\n`);
    assert.equal(kh.keysFor('127.0.0.2', 2201).length, 1);
    assert.equal(kh.keysFor('127.0.0.2', 22).length, 0);
    assert.equal(kh.keysFor('hv09', 22)[0]!.revoked, true);
    assert.equal(hostEntryName('HV1', 22), 'hv1');
    assert.equal(hostEntryName('hv1', 2022), '[hv1]:2022');
    assert.match(fingerprint(Buffer.from(KEY_A, 'base64')), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
