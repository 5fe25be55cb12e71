/**
 * A Linux VM provisioned through agent operations alone (image.copy → vm.create → nic.create →
 * iso.attach → vm.power start → aetherv.kvp/1 handshake), with the test playing the orchestrator
 * side of the cryptography with node:crypto. Runs with the TypeScript guest and with the real
 * Linux agent (Linux/aetherv-guest-agent) as a child process.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, createPublicKey, constants, publicEncrypt, randomBytes, type JsonWebKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createFleet, REPOSITORY_ROOT, type Fleet, type SimulatedHost } from '../host/fleet.ts';
import type { GuestMode } from '../host/runtime.ts';
import { fakeArtifacts, must } from '../host/testing.ts';
import { linuxAgentUnavailable } from './launcher.ts';

const GiB = 1024 ** 3;
const VERSION = '4.5.6';
const fleets: Fleet[] = [];
after(() => Promise.all(fleets.map((f) => f.close())));

const CONFIG = {
  hostname: 'web-01',
  localAdmin: { username: 'ops', password: 'S3cret!pass-ü' },
  network: { ipv4: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1' }, dns: { servers: ['10.0.0.2'], searchSuffix: 'corp.example' } },
  users: [{ name: 'ansible', sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE8m0xv9Kq3h0bHgXo2w8S2b2Hk0yJ1q4l4Jg8nq0R0b ansible@ctl'], sudo: true }],
};

function newFleet(guestMode: GuestMode): { fleet: Fleet; host: SimulatedHost } {
  const fleet = createFleet({ hosts: 1, vmsPerHost: 0, clusters: 0, seed: 5, timeScale: 0.001, guestMode, preinstallAgentFrom: fakeArtifacts(VERSION) });
  fleets.push(fleet);
  return { fleet, host: fleet.hosts[0]! };
}

async function waitForGuest(host: SimulatedHost, vmId: string, until: (items: Record<string, string>) => boolean, seconds: number): Promise<Record<string, string>> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const r = await must(host, 'kvp.get', { vmId });
    if (until(r.items)) return r.items;
    if (Date.now() > end) throw new Error(`guest did not get there in ${seconds}s: ${JSON.stringify(r.items)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The orchestrator's side of §5: wrap Ke‖Km for the guest's key, encrypt-then-MAC, chunk. */
function seal(jwk: string, config: object, tamper = false): { key: string; chunks: string[] } {
  const publicKey = createPublicKey({ key: JSON.parse(jwk) as JsonWebKey, format: 'jwk' });
  const ke = randomBytes(32);
  const km = randomBytes(32);
  const key = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.concat([ke, km])).toString('base64');
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', ke, iv);
  const c = Buffer.concat([cipher.update(JSON.stringify(config), 'utf8'), cipher.final()]);
  const t = createHmac('sha256', km).update('aetherv.kvp/1').update(iv).update(c).digest();
  if (tamper) c[0] = (c[0] ?? 0) ^ 1;
  const blob = Buffer.concat([iv, c, t]).toString('base64');
  return { key, chunks: blob.match(/.{1,1000}/g) ?? [] };
}

async function provisionLinuxVm(host: SimulatedHost, options: { hostVersion?: string; tamper?: boolean; windows?: boolean } = {}) {
  const family = options.windows ? 'windows' : 'linux';
  const image = await must(host, 'image.copy', { image: options.windows ? 'Windows-Server-2022' : 'Ubuntu-24.04', destinationPath: 'C:\\Hyper-V\\Virtual Machines\\web-01\\web-01.vhdx', mode: 'differencing' });
  const created = await must(host, 'vm.create', { name: 'web-01', path: 'C:\\Hyper-V\\Virtual Machines', generation: 2, cpuCount: 2, memory: { startupBytes: 2 * GiB, dynamic: false }, bootDiskPath: image.path, secureBootTemplate: options.windows ? 'MicrosoftWindows' : 'MicrosoftUEFICertificateAuthority' });
  const vmId = created.vm.vmId as string;
  await must(host, 'nic.create', { vmId, switchName: 'External', vlanId: 100 });
  const iso = (await must(host, 'host.info', {})).provisioningIsos.find((i: { osFamily: string }) => i.osFamily === family);
  await must(host, 'iso.attach', { vmId, isoPath: iso.path });
  await must(host, 'vm.power', { vmId, action: 'start' });

  await must(host, 'kvp.set', { vmId, items: [{ key: 'aetherv.version', value: options.hostVersion ?? VERSION }] });
  await must(host, 'kvp.set', { vmId, items: [{ key: 'aetherv.host.state', value: 'awaiting-key' }] });
  const ready = await waitForGuest(host, vmId, (i) => i['aetherv.guest.state'] === 'awaiting-payload' || i['aetherv.guest.state'] === 'failed', 60);
  if (ready['aetherv.guest.state'] === 'failed') return { vmId, items: ready };
  assert.equal(ready['aetherv.guest.version'], VERSION);
  const jwk = JSON.parse(ready['aetherv.guest.pubkey']!) as { kty: string; n: string; e: string };
  assert.equal(jwk.kty, 'RSA');
  assert.equal(Buffer.from(jwk.n, 'base64url').length, 384, 'RSA-3072');

  // Enough users that the blob needs several chunks of 1,000 characters.
  const { key, chunks } = seal(ready['aetherv.guest.pubkey']!, { ...CONFIG, users: [...CONFIG.users, ...Array.from({ length: 12 }, (_, i) => ({ name: `svc${i}`, sshAuthorizedKeys: [`ssh-ed25519 ${'A'.repeat(68)} svc${i}`] }))] }, options.tamper);
  assert.ok(chunks.length >= 2, 'the payload spans several chunks');
  await must(host, 'kvp.set', { vmId, items: [{ key: 'aetherv.key', value: key }, ...chunks.map((value, i) => ({ key: `aetherv.payload.${i}`, value })), { key: 'aetherv.payload.count', value: String(chunks.length) }] });
  await must(host, 'kvp.set', { vmId, items: [{ key: 'aetherv.host.state', value: 'payload-published' }] });
  const items = await waitForGuest(host, vmId, (i) => i['aetherv.guest.state'] === 'applied' || i['aetherv.guest.state'] === 'failed', 60);
  return { vmId, items };
}

async function finishAndCheck(fleet: Fleet, host: SimulatedHost, vmId: string): Promise<void> {
  const hostKeys = Object.keys((fleet.host(host.name)!.model() as { vms: { vmId: string; kvp: { host: Record<string, string> } }[] }).vms.find((v) => v.vmId === vmId)!.kvp.host);
  const removed = await must(host, 'kvp.remove', { vmId, keys: hostKeys.filter((k) => k.startsWith('aetherv.')) });
  assert.deepEqual(removed.missing, []);
  await must(host, 'iso.detach', { vmId });
  const inv = await must(host, 'inventory.collect', { vmIds: [vmId] });
  assert.deepEqual(inv.vms[0].ipAddresses, ['10.0.0.5']);
  assert.equal(inv.vms[0].isoPath, null);
  const model = fleet.host(host.name)!.model() as { vms: { vmId: string; guestHostname: string; kvp: { host: object } }[] };
  const vm = model.vms.find((v) => v.vmId === vmId)!;
  assert.equal(vm.guestHostname, 'web-01');
  assert.deepEqual(vm.kvp.host, {});
  assert.ok(!JSON.stringify(model).includes(CONFIG.localAdmin.password), 'the host never sees the password');
}

describe('Linux VM provisioning over KVP', () => {
  it('reaches applied with the TypeScript guest', async () => {
    const { fleet, host } = newFleet('typescript');
    const { vmId, items } = await provisionLinuxVm(host);
    assert.equal(items['aetherv.guest.state'], 'applied', items['aetherv.guest.error']);
    assert.equal(items['aetherv.guest.ipv4'], '10.0.0.5');
    await finishAndCheck(fleet, host, vmId);
  });

  it('a Windows VM follows the same handshake (TypeScript guest) and reports its address', async () => {
    const { fleet, host } = newFleet('auto');
    const { vmId, items } = await provisionLinuxVm(host, { windows: true });
    assert.equal(items['aetherv.guest.state'], 'applied', items['aetherv.guest.error']);
    const inv = await must(host, 'inventory.collect', { vmIds: [vmId] });
    assert.equal(inv.vms[0].osName, 'Windows Server 2022 Datacenter');
    await finishAndCheck(fleet, host, vmId);
  });

  it('the TypeScript guest refuses a tampered payload (MAC checked before decryption) and a version mismatch', async () => {
    const tampered = await provisionLinuxVm(newFleet('typescript').host, { tamper: true });
    assert.equal(tampered.items['aetherv.guest.state'], 'failed');
    assert.equal(tampered.items['aetherv.guest.error'], 'error validating:mac');
    const mismatch = await provisionLinuxVm(newFleet('typescript').host, { hostVersion: '9.9.9' });
    assert.equal(mismatch.items['aetherv.guest.state'], 'failed');
    assert.equal(mismatch.items['aetherv.guest.error'], `error version-mismatch:${VERSION}!=9.9.9`);
  });

  const why = linuxAgentUnavailable({ linuxAgentPath: join(REPOSITORY_ROOT, 'Linux', 'aetherv-guest-agent') } as Parameters<typeof linuxAgentUnavailable>[0]);
  it('reaches applied with the real Linux agent against real pool files', { skip: why ?? false, timeout: 90_000 }, async () => {
    const { fleet, host } = newFleet('linux-agent');
    const { vmId, items } = await provisionLinuxVm(host);
    const model = fleet.host(host.name)!.model() as { vms: { vmId: string; guest: { root: string; stderrTail: string } | null }[] };
    const guest = model.vms.find((v) => v.vmId === vmId)!.guest!;
    assert.equal(items['aetherv.guest.state'], 'applied', `${items['aetherv.guest.error']} ${guest.stderrTail}`);
    assert.equal(items['aetherv.guest.ipv4'], '10.0.0.5');
    const pool = readFileSync(join(guest.root, 'var/lib/hyperv/.kvp_pool_1'));
    assert.equal(pool.length % 2560, 0, 'pool records are 512 + 2048 bytes');
    const commands = readFileSync(join(guest.root, '.sim/commands.log'), 'utf8');
    assert.match(commands, /^hostnamectl set-hostname web-01$/m);
    assert.match(commands, /^useradd .*ansible$/m);
    assert.ok(!commands.includes(CONFIG.localAdmin.password), 'no secret in recorded command lines');
    assert.match(readFileSync(join(guest.root, 'etc/netplan/90-aetherv.yaml'), 'utf8'), /10\.0\.0\.5\/24/);
    assert.ok(existsSync(join(guest.root, 'home/ansible/.ssh/authorized_keys')));
    await finishAndCheck(fleet, host, vmId);
  });
});
