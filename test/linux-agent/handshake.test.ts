/**
 * The real Linux agent against KVP pool files written by the orchestrator's provisioning code:
 * the whole aetherv.kvp/1 handshake, then what the agent applied, with which commands, and what it
 * left behind.
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { domainToASCII } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { GUEST_ITEM } from '../../server/src/provisioning/index.ts';
import { ETH0_MAC, makeGuestRoot, standinCalls, startAgent, type GuestRoot } from './support/guest-root.ts';
import { playHost } from './support/host.ts';
import { readRecords } from './support/kvp-pool.ts';

const VERSION = '0.1.0';
const ADMIN_PASSWORD = 'Pässwörd: €uro with spaces';
const DEPLOY_PASSWORD = 'another-sëcret';
// A 3,000-character authorized_keys line (key type, base64 body, comment).
const LONG_KEY = `ssh-rsa AAAAB3NzaC1yc2E${'QUJD'.repeat(740)} long-key@example`;
assert.equal(LONG_KEY.length, 3000);
const ED_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ansible@ctl';
const SUFFIX = 'corp.exämple';

const roots: GuestRoot[] = [];
after(() => roots.forEach((root) => root.cleanup()));

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** No private key and no plaintext configuration anywhere under the root (the stand-ins' own log aside). */
function assertNothingSecretLeft(root: GuestRoot, secrets: string[]): void {
  assert.equal(existsSync(root.file('run/aetherv')), false, 'the working directory is removed');
  for (const file of filesUnder(root.dir)) {
    if (file === root.log) continue;
    const text = readFileSync(file, 'latin1') + readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /PRIVATE KEY/, `${file} holds a private key`);
    assert.doesNotMatch(text, /"localAdmin"/, `${file} holds the decrypted configuration`);
    for (const secret of secrets) assert.equal(text.includes(secret), false, `${file} holds a secret`);
  }
}

describe('Linux guest agent: full handshake', () => {
  test('a netplan image gets hostname, local admin, users, static IPv4 and DNS', async () => {
    const root = makeGuestRoot({ version: VERSION });
    roots.push(root);
    const config = {
      hostname: 'web-01',
      localAdmin: { username: 'ops', password: ADMIN_PASSWORD },
      network: {
        ipv4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1' },
        dns: { servers: ['10.0.0.2', '10.0.0.3'], searchSuffix: SUFFIX },
      },
      domainJoin: { domain: 'corp.example', username: 'joiner', password: 'join-secret' },
      users: [
        { name: 'ansible', fullName: 'Jürgen Müller', sshAuthorizedKeys: [LONG_KEY, ED_KEY], sudo: true },
        { name: 'deploy', sshAuthorizedKeys: [ED_KEY], password: DEPLOY_PASSWORD },
      ],
    };
    const result = await playHost(root, startAgent(root), { version: VERSION, config });

    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.items.get(GUEST_ITEM.state), 'applied');
    assert.equal(result.items.get(GUEST_ITEM.ipv4), '10.0.0.5');
    assert.equal(result.items.get(GUEST_ITEM.version), VERSION);
    assert.equal(result.items.has(GUEST_ITEM.error), false);
    const keys = readRecords(root.pool1).map(([key]) => key);
    assert.equal(new Set(keys).size, keys.length, 'each guest item is updated in place, never duplicated');

    const jwk = JSON.parse(result.items.get(GUEST_ITEM.pubkey) ?? '{}') as Record<string, string>;
    assert.deepEqual(Object.keys(jwk).sort(), ['e', 'kty', 'n']);
    assert.equal(createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyDetails?.modulusLength, 3072);

    assert.equal(readFileSync(root.file('etc/hostname'), 'utf8'), 'web-01\n');
    assert.equal(readFileSync(root.file('etc/hosts'), 'utf8'), '127.0.0.1\tlocalhost\n127.0.1.1\tweb-01\n');

    const ansibleSsh = root.file('home/ansible/.ssh');
    assert.equal(mode(ansibleSsh), 0o700);
    assert.equal(mode(join(ansibleSsh, 'authorized_keys')), 0o600);
    assert.equal(readFileSync(join(ansibleSsh, 'authorized_keys'), 'utf8'), `${LONG_KEY}\n${ED_KEY}\n`);
    assert.equal(readFileSync(root.file('home/deploy/.ssh/authorized_keys'), 'utf8'), `${ED_KEY}\n`);
    assert.equal(mode(root.file('etc/sudoers.d/90-aetherv-ansible')), 0o440);
    assert.equal(readFileSync(root.file('etc/sudoers.d/90-aetherv-ansible'), 'utf8'), 'ansible ALL=(ALL:ALL) NOPASSWD:ALL\n');
    assert.equal(existsSync(root.file('etc/sudoers.d/90-aetherv-deploy')), false, 'deploy has no sudo');

    const netplanPath = root.file('etc/netplan/90-aetherv.yaml');
    assert.equal(mode(netplanPath), 0o600);
    assert.deepEqual(parseYaml(readFileSync(netplanPath, 'utf8')), {
      network: {
        version: 2,
        ethernets: {
          eth0: {
            match: { macaddress: ETH0_MAC },
            'set-name': 'eth0',
            dhcp4: false,
            addresses: ['10.0.0.5/24'],
            routes: [{ to: 'default', via: '10.0.0.1' }],
            nameservers: { addresses: ['10.0.0.2', '10.0.0.3'], search: [domainToASCII(SUFFIX)] },
          },
        },
      },
    });
    assert.equal(existsSync(root.file('etc/cloud/cloud.cfg.d/99-aetherv-network.cfg')), true);
    assert.equal(existsSync(root.file('var/lib/aetherv/applied')), true);

    const calls = standinCalls(root);
    const argvOf = (cmd: string): string[][] => calls.filter((c) => c.cmd === cmd).map((c) => c.argv);
    assert.deepEqual(argvOf('hostnamectl'), [['set-hostname', 'web-01']]);
    assert.deepEqual(argvOf('useradd'), [
      ['-m', '-s', '/bin/bash', 'ops'],
      ['-m', '-s', '/bin/bash', '-c', 'Jürgen Müller', 'ansible'],
      ['-m', '-s', '/bin/bash', 'deploy'],
    ]);
    assert.deepEqual(argvOf('usermod'), [['-aG', 'sudo', 'ops']]);
    const chpasswd = calls.filter((c) => c.cmd === 'chpasswd');
    assert.deepEqual(chpasswd.map((c) => [c.argv, c.stdin]), [[[], `ops:${ADMIN_PASSWORD}\n`], [[], `deploy:${DEPLOY_PASSWORD}\n`]]);
    assert.deepEqual(argvOf('chown'), [['-R', 'ansible:', ansibleSsh], ['-R', 'deploy:', root.file('home/deploy/.ssh')]]);
    assert.deepEqual(argvOf('netplan'), [['apply']]);
    assert.deepEqual(argvOf('systemctl'), [['disable', 'aetherv-guest-agent.service']]);
    assert.deepEqual(argvOf('reboot'), [], 'everything applied live: no reboot');
    assert.deepEqual(argvOf('nmcli'), []);
    const openssl = argvOf('openssl');
    assert.deepEqual(openssl.map((argv) => argv[0]), ['genpkey', 'pkey', 'pkeyutl', 'enc']);
    assert.ok(openssl[0]?.includes('rsa_keygen_bits:3072'));
    const pkeyutl = openssl[2]?.join(' ') ?? '';
    for (const opt of ['-decrypt', 'rsa_padding_mode:oaep', 'rsa_oaep_md:sha256', 'rsa_mgf1_md:sha256']) assert.ok(pkeyutl.includes(opt), opt);
    assert.equal(openssl[3]?.slice(0, 3).join(' '), 'enc -d -aes-256-cbc');
    for (const argv of openssl.slice(2)) {
      assert.ok(!argv.includes('-in') && !argv.includes('-out'), `${argv[0]} works on pipes: keys and plaintext never touch the disk`);
    }
    for (const call of calls) {
      for (const secret of [ADMIN_PASSWORD, DEPLOY_PASSWORD, 'join-secret']) {
        assert.equal(call.argv.some((arg) => arg.includes(secret)), false, `${call.cmd} got a password in argv`);
      }
    }
    assert.equal(result.stderr.includes(ADMIN_PASSWORD), false, 'the log holds no secret');

    assertNothingSecretLeft(root, [ADMIN_PASSWORD, DEPLOY_PASSWORD, 'join-secret']);
  });

  test('a netplan image with DHCP keeps DHCP but uses the given DNS servers; only what is asked is applied', async () => {
    const root = makeGuestRoot({ version: VERSION });
    roots.push(root);
    const agent = startAgent(root, { STANDIN_IP_OUTPUT: '2: eth0    inet 172.16.0.9/16 brd 172.16.255.255 scope global dynamic eth0' });
    const result = await playHost(root, agent, { version: VERSION, config: { network: { dns: { servers: ['10.0.0.2'] } } } });

    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.items.get(GUEST_ITEM.ipv4), '172.16.0.9');
    assert.deepEqual(parseYaml(readFileSync(root.file('etc/netplan/90-aetherv.yaml'), 'utf8')), {
      network: {
        version: 2,
        ethernets: {
          eth0: {
            match: { macaddress: ETH0_MAC },
            'set-name': 'eth0',
            dhcp4: true,
            'dhcp4-overrides': { 'use-dns': false },
            nameservers: { addresses: ['10.0.0.2'] },
          },
        },
      },
    });
    assert.equal(existsSync(root.file('etc/cloud/cloud.cfg.d/99-aetherv-network.cfg')), false, 'cloud-init may keep managing DHCP');
    assert.equal(readFileSync(root.file('etc/hosts'), 'utf8'), '127.0.0.1\tlocalhost\n127.0.1.1\tgolden-image\n', 'hostname untouched');
    const commands = standinCalls(root).map((c) => c.cmd).filter((cmd) => cmd !== 'openssl');
    assert.deepEqual(commands, ['netplan', 'ip', 'systemctl']);
  });

  test('a NetworkManager image without hostnamectl: DHCP, DNS override, reported lease, reboot', async () => {
    const root = makeGuestRoot({ version: VERSION, netplan: false, without: ['hostnamectl'] });
    roots.push(root);
    const agent = startAgent(root, { STANDIN_IP_OUTPUT: '2: eth0    inet 192.168.50.7/24 brd 192.168.50.255 scope global dynamic eth0' });
    const config = {
      hostname: 'db-01',
      network: { dns: { servers: ['10.0.0.2', 'fd00::53'], searchSuffix: 'corp.example' } },
      users: [{ name: 'ops.admin', password: 'x-secret-1', sudo: true }],
    };
    const result = await playHost(root, agent, { version: VERSION, config });

    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.items.get(GUEST_ITEM.state), 'applied');
    assert.equal(result.items.get(GUEST_ITEM.ipv4), '192.168.50.7');
    assert.equal(readFileSync(root.file('etc/hostname'), 'utf8'), 'db-01\n');
    assert.equal(existsSync(root.file('etc/netplan')), false);
    // A dotted name gets a sudoers.d file sudo does not skip; with a password, sudo asks for it.
    assert.equal(readFileSync(root.file('etc/sudoers.d/90-aetherv-ops_admin'), 'utf8'), 'ops.admin ALL=(ALL:ALL) ALL\n');
    assert.equal(readFileSync(root.file('home/ops.admin/.ssh/authorized_keys'), 'utf8'), '');

    const calls = standinCalls(root);
    const nmcli = calls.filter((c) => c.cmd === 'nmcli').map((c) => c.argv);
    assert.deepEqual(nmcli, [
      ['connection', 'delete', 'aetherv-eth0'],
      [
        'connection', 'add', 'type', 'ethernet', 'con-name', 'aetherv-eth0', 'ifname', 'eth0',
        'connection.autoconnect', 'yes', 'connection.autoconnect-priority', '100',
        'ipv4.method', 'auto',
        'ipv4.dns', '10.0.0.2', 'ipv4.ignore-auto-dns', 'yes',
        'ipv6.dns', 'fd00::53', 'ipv6.ignore-auto-dns', 'yes',
        'ipv4.dns-search', 'corp.example',
      ],
      ['connection', 'up', 'aetherv-eth0'],
    ]);
    assert.deepEqual(calls.filter((c) => c.cmd === 'ip').map((c) => c.argv), [['-4', '-o', 'addr', 'show', 'scope', 'global']]);
    assert.deepEqual(calls.filter((c) => c.cmd === 'reboot').map((c) => c.argv), [[]], 'the hostname needs a reboot');
    assertNothingSecretLeft(root, ['x-secret-1']);
  });
});
