import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../errors.ts';
import { assertGuestConfig, checkGuestConfig } from './guest-config.ts';

const FULL = {
  hostname: 'web-01',
  localAdmin: { username: 'ops', password: 'S3cret!' },
  network: {
    ipv4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1' },
    dns: { servers: ['10.0.0.2', 'fd00::53'], searchSuffix: 'corp.exämple' },
  },
  domainJoin: { domain: 'corp.example', username: 'CORP\\joiner', password: 'j', ou: 'OU=Servers,DC=corp,DC=example' },
  users: [{ name: 'ansible', fullName: 'Jürgen Müller', sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq ansible@ctl'], sudo: true }],
};

function errorsOf(value: unknown): string[] {
  const result = checkGuestConfig(value);
  assert.equal(result.ok, false, 'expected the configuration to be refused');
  return result.ok ? [] : result.errors;
}

describe('guest configuration validation', () => {
  test('accepts the full DESIGN §5 document and an empty one', () => {
    assert.deepEqual(checkGuestConfig(FULL), { ok: true, config: FULL });
    assert.equal(checkGuestConfig({}).ok, true);
    assert.equal(checkGuestConfig({ network: { dns: { searchSuffix: 'corp.example' } } }).ok, true, 'DHCP with a search suffix');
  });

  test('all-or-none groups say what is missing, and where', () => {
    assert.deepEqual(errorsOf({ network: { ipv4: { address: '10.0.0.5', prefixLength: 24 } } }), [
      'network.ipv4.gateway is required when network.ipv4 is given',
    ]);
    assert.deepEqual(errorsOf({ domainJoin: { domain: 'corp.example' } }).sort(), [
      'domainJoin.password is required when domainJoin is given',
      'domainJoin.username is required when domainJoin is given',
    ]);
    assert.deepEqual(errorsOf({ localAdmin: { username: 'ops' } }), ['localAdmin.password is required when localAdmin is given']);
    assert.deepEqual(errorsOf({ users: [{ sshAuthorizedKeys: [] }] }), ['users[0].name is required when users[0] is given']);
  });

  test('hostnames must be DNS labels', () => {
    for (const bad of ['-web', 'web-', 'web_01', 'web.example', '', 'a'.repeat(64), '12345', 'wéb']) {
      assert.deepEqual(errorsOf({ hostname: bad }), [
        'hostname must be one DNS label: letters, digits and hyphens, 1-63 characters, no leading or trailing hyphen, not all digits',
      ], bad);
    }
    for (const good of ['a', 'web-01', '1web', 'a'.repeat(63), 'WEB01']) assert.equal(checkGuestConfig({ hostname: good }).ok, true, good);
  });

  test('unknown fields, wrong types and bad addresses are named', () => {
    assert.deepEqual(errorsOf({ hostnme: 'x' }), ['hostnme is not a known field']);
    assert.deepEqual(errorsOf({ network: { ipv4: { address: '10.0.0.300', prefixLength: '24', gateway: '10.0.0.1' } } }).sort(), [
      'network.ipv4.address must be an IPv4 address',
      'network.ipv4.prefixLength must be an integer',
    ]);
    assert.deepEqual(errorsOf({ network: { ipv4: { address: '10.0.0.5', prefixLength: 33, gateway: '10.0.0.1' } } }), [
      'network.ipv4.prefixLength must be at most 32',
    ]);
    assert.deepEqual(errorsOf({ network: { dns: { servers: ['dns.example'] } } }), ['network.dns.servers[0] must be an IPv4 or IPv6 address']);
    assert.deepEqual(errorsOf({ network: {} }), ['network must not be empty']);
    assert.deepEqual(errorsOf({ users: [{ name: 'a', sudo: 'yes', sshAuthorizedKeys: ['ssh-rsa AAAA\nssh-rsa BBBB'] }] }).sort(), [
      'users[0].sshAuthorizedKeys[0] must be one authorized_keys line: [options] <key type> <base64 key> [comment]',
      'users[0].sudo must be of type boolean',
    ]);
  });

  test('cross-field rules: gateway in the subnet, unique accounts, a way to log in', () => {
    assert.deepEqual(errorsOf({ network: { ipv4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.1.1' } } }), [
      'network.ipv4.gateway is not inside network.ipv4.address/24',
    ]);
    assert.deepEqual(errorsOf({ network: { ipv4: { address: '10.0.0.0', prefixLength: 24, gateway: '10.0.0.1' } } }), [
      'network.ipv4.address is the network or broadcast address of its /24 subnet',
    ]);
    assert.equal(checkGuestConfig({ network: { ipv4: { address: '10.0.0.5', prefixLength: 32, gateway: '10.9.9.9' } } }).ok, true, '/32 with an on-link gateway');
    assert.deepEqual(
      errorsOf({ localAdmin: { username: 'Ops', password: 'p' }, users: [{ name: 'ops', password: 'p' }, { name: 'deploy' }] }),
      ['users[0].name duplicates localAdmin.username', 'users[1] needs sshAuthorizedKeys or a password'],
    );
  });

  test('messages never contain the values, so secrets cannot leak through them', () => {
    const secret = 'hunter2\nwith-a-line-break';
    const errors = errorsOf({ localAdmin: { username: 'ops', password: secret }, domainJoin: { domain: 'x', username: 'u', password: '' } });
    assert.deepEqual(errors.sort(), ['domainJoin.password must not be empty', 'localAdmin.password must be 1-256 characters without line breaks or NUL']);
    try {
      assertGuestConfig({ localAdmin: { username: 'ops', password: secret } });
      assert.fail('expected GUEST_CONFIG_INVALID');
    } catch (error) {
      assert.ok(isAppError(error) && error.code === 'GUEST_CONFIG_INVALID');
      assert.equal(error.message.includes('hunter2'), false);
      assert.deepEqual(error.details.errors, ['localAdmin.password must be 1-256 characters without line breaks or NUL']);
    }
  });
});
