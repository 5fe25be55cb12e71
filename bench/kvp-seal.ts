/**
 * kvp-seal: server/src/provisioning payloadItems for a 10 KB guest configuration (schema
 * validation, AES-256-CBC + HMAC seal, RSA-OAEP key wrap, chunking into KVP items), per second.
 */
import { generateKeyPairSync } from 'node:crypto';
import { payloadItems } from '../server/src/provisioning/index.ts';
import { PAYLOAD_CHUNK_CHARS } from '../server/src/provisioning/kvp-protocol.ts';
import { timeCalls } from './measure.ts';
import type { Measurement } from './types.ts';

const CONFIG_BYTES = 10 * 1024;

/** A plausible configuration (admin, static IPv4, domain join, users with SSH keys) padded to 10 KB with key material. */
export function guestConfigOf(bytes: number): Record<string, unknown> {
  const users = Array.from({ length: 3 }, (_, i) => ({
    name: `ops${i}`, fullName: `Operator ${i}`, sudo: i === 0, password: `Pw-${i}-not-a-real-secret`,
    sshAuthorizedKeys: [`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'Q'.repeat(43)} ops${i}@lab`],
  }));
  const config = {
    hostname: 'web-01',
    localAdmin: { username: 'Administrator', password: 'Local-Admin-Pw-1' },
    network: { ipv4: { address: '10.20.30.40', prefixLength: 24, gateway: '10.20.30.1' }, dns: { servers: ['10.20.30.2', '10.20.30.3'], searchSuffix: 'lab.example' } },
    domainJoin: { domain: 'lab.example', username: 'LAB\\joiner', password: 'Join-Pw-1', ou: 'OU=Servers,DC=lab,DC=example' },
    users,
  };
  const missing = bytes - Buffer.byteLength(JSON.stringify(config)) - `,"ssh-rsa AAAA"`.length;
  users[0]!.sshAuthorizedKeys.push(`ssh-rsa AAAA${'B'.repeat(Math.max(0, missing))}`);
  return config;
}

export async function run(): Promise<Measurement[]> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const jwk = JSON.stringify(publicKey.export({ format: 'jwk' }));
  const config = guestConfigOf(CONFIG_BYTES);
  const size = Buffer.byteLength(JSON.stringify(config));
  const first = payloadItems(config, jwk);
  const chunks = Number(first.find((i) => i.name === 'aetherv.payload.count')?.value);
  if (!(chunks >= Math.ceil(size / PAYLOAD_CHUNK_CHARS))) throw new Error(`a ${size}-byte configuration gave ${chunks} chunks`);
  for (let i = 0; i < 20; i++) payloadItems(config, jwk); // warm-up (JIT, ajv)
  const timings = await timeCalls({ count: 5_000, maxMs: 5_000 }, async () => { payloadItems(config, jwk); });
  return [
    { metric: 'configuration size', value: size, unit: 'bytes' },
    { metric: 'KVP items per payload', value: first.length, unit: '' },
    { metric: 'payloadItems', value: Math.round(timings.callsPerSecond), unit: 'ops/s', target: { op: '>=', value: 1_500 } },
  ];
}
