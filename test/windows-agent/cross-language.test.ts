/**
 * aetherv.kvp/1 across languages (DESIGN §5): the Windows guest agent's real receive path, in the
 * real pwsh (Windows/tests/Support/Invoke-GuestReceive.ps1), makes its RSA-3072 key and publishes
 * its JWK; the orchestrator's own code (server/src/provisioning: handshakeStartItems,
 * payloadItems → RSA-OAEP-SHA-256 key wrap, AES-256-CBC + HMAC-SHA-256, chunks) seals the
 * configuration for that key; the guest opens it — or refuses a tampered one with
 * `error validating:mac` in aetherv.guest.error. The two KVP pools are JSON files standing for
 * the registry keys (the only piece replaced, with CNG's constructor and the Task Scheduler).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handshakeStartItems, payloadItems, type KvpItem } from '../../server/src/provisioning/publication.ts';
import { chunkBlob, sealPayload } from '../../server/src/provisioning/payload-seal.ts';
import { GUEST_ITEM, HOST_ITEM, parseGuestPublicKey } from '../../server/src/provisioning/index.ts';
import { pwshPath, repoRoot, runPester } from '../support/pester.ts';
import { waitUntil } from '../support/wait.ts';

const DRIVER = join(repoRoot, 'Windows', 'tests', 'Support', 'Invoke-GuestReceive.ps1');
const VERSION = '1.4.0-xlang';
const ADMIN_PASSWORD = 'Adm1n-P@ss "quoted" é';
const JOIN_PASSWORD = 'J0in-Secr3t;$(whoami)';

const config = {
  hostname: 'web-01',
  localAdmin: { username: 'ops', password: ADMIN_PASSWORD },
  network: {
    ipv4: { address: '10.0.0.25', prefixLength: 24, gateway: '10.0.0.1' },
    dns: { servers: ['10.0.0.2', '10.0.0.3'], searchSuffix: 'corp.example' },
  },
  domainJoin: { domain: 'corp.example', username: 'joiner', password: JOIN_PASSWORD, ou: 'OU=Servers,DC=corp,DC=example' },
  // Ignored by Windows guests; here to make the payload span several KVP chunks.
  users: Array.from({ length: 6 }, (_, i) => ({ name: `user${i}`, sshAuthorizedKeys: [`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'x'.repeat(43)}${i} user${i}@example`] })),
};

type Tamper = (blob: Buffer) => void;
/** What the host publishes for the guest's key: the orchestrator's items by default. */
type Seal = (jwk: string) => KvpItem[];

interface GuestRun {
  stdout: { ok: boolean; config?: Record<string, unknown> };
  guest: Record<string, string>;
  log: string;
}

let root: string;
before(async () => { root = await mkdtemp(join(tmpdir(), 'aetherv-xlang-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

async function writePool(file: string, items: Record<string, string>): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(items));
  await rename(`${file}.tmp`, file);
}

async function readPool(file: string): Promise<Record<string, string>> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Record<string, string>) : {};
}

/** The payload items with one byte of the decoded blob changed, chunked again by the server's code. */
function tampered(items: KvpItem[], tamper: Tamper): KvpItem[] {
  const chunks = items.filter((i) => /^aetherv\.payload\.\d+$/.test(i.name));
  const blob = Buffer.from(chunks.map((c) => c.value).join(''), 'base64');
  tamper(blob);
  const rechunked = chunkBlob(blob.toString('base64'));
  assert.equal(rechunked.length, chunks.length);
  return items.map((item) => {
    const index = /^aetherv\.payload\.(\d+)$/.exec(item.name)?.[1];
    return index === undefined ? item : { name: item.name, value: rechunked[Number(index)]! };
  });
}

/** A folder for one guest run: the guest's version file and the host's opening items. */
async function prepare(name: string): Promise<{ dir: string; external: string; guestPool: string; host: Record<string, string> }> {
  const dir = join(root, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  await writeFile(join(dir, 'version'), `${VERSION}\r\n`);
  const host: Record<string, string> = {};
  for (const item of handshakeStartItems(VERSION)) host[item.name] = item.value;
  const external = join(dir, 'External.json');
  await writePool(external, host);
  return { dir, external, guestPool: join(dir, 'Guest.json'), host };
}

/** The host's side, with the orchestrator's functions: wait for the guest's key, then publish. */
async function publishPayload(run: Awaited<ReturnType<typeof prepare>>, guestEnded: () => boolean, diagnosis: () => string, seal: Seal, tamper?: Tamper): Promise<void> {
  let published: Record<string, string> = {};
  await waitUntil(async () => {
    published = await readPool(run.guestPool);
    return published[GUEST_ITEM.state] === 'awaiting-payload' || guestEnded();
  }, 60_000, 'the guest asking for the payload');
  assert.equal(published[GUEST_ITEM.state], 'awaiting-payload', `guest state ${published[GUEST_ITEM.state]}; ${diagnosis()}`);
  assert.equal(published[GUEST_ITEM.version], VERSION);
  const jwk = published[GUEST_ITEM.pubkey] ?? '';
  // The server's own check of the guest's key: RSA, 3072 bits, e = 65537, base64url.
  assert.equal(parseGuestPublicKey(jwk).asymmetricKeyDetails?.modulusLength, 3072);
  let items = seal(jwk);
  if (tamper) items = tampered(items, tamper);
  for (const item of items) run.host[item.name] = item.value;
  await writePool(run.external, run.host);
}

/** The guest's receive path (Invoke-GuestReceive.ps1) against the orchestrator's publication. */
async function runGuest(name: string, tamper?: Tamper, seal: Seal = (jwk) => payloadItems(config, jwk)): Promise<GuestRun> {
  const run = await prepare(name);
  const child = spawn(pwshPath(), ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', DRIVER, '-Root', run.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    await publishPayload(run, () => child.exitCode !== null, () => `stdout ${stdout}; stderr ${stderr}`, seal, tamper);
    assert.equal(await exited, 0, stderr);
  } finally {
    child.kill();
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  return { stdout: JSON.parse(line) as GuestRun['stdout'], guest: await readPool(run.guestPool), log: await readFile(join(run.dir, 'agent.log'), 'utf8') };
}

describe('a payload sealed by the orchestrator, opened by the Windows guest agent', () => {
  it('opens, verifies and parses the configuration, across several chunks, and logs no secret', async () => {
    const run = await runGuest('valid');
    assert.equal(run.stdout.ok, true, run.log);
    assert.deepEqual(run.stdout.config, {
      hostname: 'web-01',
      localAdmin: { username: 'ops', password: ADMIN_PASSWORD },
      ipv4: { Address: '10.0.0.25', PrefixLength: 24, Gateway: '10.0.0.1' },
      dns: { Servers: ['10.0.0.2', '10.0.0.3'], SearchSuffix: 'corp.example' },
      domainJoin: { domain: 'corp.example', username: 'joiner', password: JOIN_PASSWORD, ou: 'OU=Servers,DC=corp,DC=example' },
    });
    assert.equal(run.guest[GUEST_ITEM.error], undefined);
    assert.match(run.log, /payload verified and decrypted/);
    for (const secret of [ADMIN_PASSWORD, JOIN_PASSWORD]) assert.ok(!run.log.includes(secret), 'the log holds no password');
  });

  it('refuses a payload with one flipped ciphertext byte: error validating:mac', async () => {
    const run = await runGuest('flipped-ciphertext', (blob) => { blob.writeUInt8(blob.readUInt8(16 + 40) ^ 0x01, 16 + 40); });
    assert.equal(run.stdout.ok, false);
    assert.equal(run.guest[GUEST_ITEM.error], 'error validating:mac');
    assert.equal(run.guest[GUEST_ITEM.state], 'failed');
    for (const secret of [ADMIN_PASSWORD, JOIN_PASSWORD]) assert.ok(!run.log.includes(secret), 'the log holds no password');
  });

  it('refuses a payload with a wrong MAC: error validating:mac', async () => {
    const run = await runGuest('wrong-mac', (blob) => { blob.writeUInt8(blob.readUInt8(blob.length - 1) ^ 0x80, blob.length - 1); });
    assert.equal(run.stdout.ok, false);
    assert.equal(run.guest[GUEST_ITEM.error], 'error validating:mac');
    assert.equal(run.guest[GUEST_ITEM.state], 'failed');
  });

  it('refuses a sealed document that is not a valid configuration (error validating:config), quoting none of it in the log', async () => {
    // What payloadItems would refuse to seal: sealed here with the same primitives, so the
    // guest's own validation is what stops it.
    for (const [name, text] of [
      ['not-json', `{"localAdmin":{"username":"ops","password":"${ADMIN_PASSWORD.replace(/"/g, '\\"')}"`],
      ['bad-field', JSON.stringify({ localAdmin: { username: 'ops', password: ADMIN_PASSWORD }, network: { ipv4: { address: '10.0.0.300', prefixLength: 24, gateway: '10.0.0.1' } } })],
    ] as const) {
      const run = await runGuest(name, undefined, (jwk) => {
        const sealed = sealPayload(Buffer.from(text, 'utf8'), parseGuestPublicKey(jwk));
        const chunks = chunkBlob(sealed.blob);
        return [
          { name: HOST_ITEM.key, value: sealed.wrappedKey },
          { name: HOST_ITEM.payloadCount, value: String(chunks.length) },
          ...chunks.map((value, i) => ({ name: `aetherv.payload.${i}`, value })),
          { name: HOST_ITEM.state, value: 'payload-published' },
        ];
      });
      assert.equal(run.stdout.ok, false, name);
      assert.equal(run.guest[GUEST_ITEM.error], 'error validating:config', name);
      assert.ok(!run.log.includes(ADMIN_PASSWORD) && !run.log.includes('Adm1n'), `${name}: the log quotes nothing of the document`);
    }
  });

  it('drives a whole guest run from a new VM to applied, the address reported (GuestRun.Tests.ps1)', async () => {
    const run = await prepare('whole-run');
    // The adapter by MAC, as the orchestrator fills it in: not the first one by index.
    const withMac = { ...config, network: { ...config.network, macAddress: '00155D000001' } };
    let ended = false;
    const pester = runPester(['Windows/tests/CrossLanguage/GuestRun.Tests.ps1'], {
      AETHERV_XLANG_ROOT: run.dir, AETHERV_XLANG_ADMIN_PASSWORD: ADMIN_PASSWORD, AETHERV_XLANG_JOIN_PASSWORD: JOIN_PASSWORD,
    }).finally(() => { ended = true; });
    await publishPayload(run, () => ended, () => 'see the Pester results', (jwk) => payloadItems(withMac, jwk));
    const result = await pester;
    for (const t of result.tests) assert.equal(t.result, 'Passed', `${t.path}: ${t.message ?? ''}`);
    for (const c of result.containers) assert.equal(c.result, 'Passed', `${c.file}: ${c.message ?? result.stderr}`);
    assert.equal(result.tests.length, 3);
    const guest = await readPool(run.guestPool);
    assert.deepEqual([guest[GUEST_ITEM.state], guest[GUEST_ITEM.ipv4]], ['applied', '10.0.0.25']);
  });

  it('chunks the sealed payload as the guest expects it', () => {
    // The same configuration the runs above open: several chunks, the key first, state last.
    const jwkOf = { kty: 'RSA', n: Buffer.alloc(384, 0xff).toString('base64url'), e: 'AQAB' };
    const items = payloadItems(config, JSON.stringify(jwkOf));
    assert.equal(items[0]?.name, HOST_ITEM.key);
    assert.ok(Number(items.find((i) => i.name === HOST_ITEM.payloadCount)?.value) > 1, 'more than one chunk');
    assert.deepEqual(items.at(-1), { name: HOST_ITEM.state, value: 'payload-published' });
  });
});
