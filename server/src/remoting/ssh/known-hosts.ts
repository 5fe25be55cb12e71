/**
 * OpenSSH known_hosts, as sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" describes it: plain and
 * hashed (`|1|salt|hmac`) host patterns, wildcards, negation, `[host]:port` for non-22 ports,
 * and `@revoked` markers. `@cert-authority` lines are ignored: ssh2 does not do host certificates.
 */
import { createHmac, createHash, timingSafeEqual } from 'node:crypto';

export interface KnownHostKey {
  /** Key type as written in the file, e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
  type: string;
  /** The public key blob (base64-decoded). */
  blob: Buffer;
  revoked: boolean;
}

interface KnownHostsLine {
  patterns: string;
  key: KnownHostKey;
}

export interface KnownHosts {
  /** Keys the file trusts for this host (revoked ones included, flagged). */
  keysFor(host: string, port: number): KnownHostKey[];
}

export function parseKnownHosts(text: string): KnownHosts {
  const lines: KnownHostsLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@revoked') revoked = true;
      else continue;
    }
    const [patterns, type, base64] = fields;
    if (!patterns || !type || !base64) continue;
    const blob = Buffer.from(base64, 'base64');
    if (blob.length === 0) continue;
    lines.push({ patterns, key: { type, blob, revoked } });
  }
  return {
    keysFor(host, port) {
      const name = hostEntryName(host, port);
      return lines.filter((l) => matchesPatterns(l.patterns, name)).map((l) => l.key);
    },
  };
}

/** The name known_hosts records for a host: `host` on port 22, `[host]:port` otherwise. */
export function hostEntryName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

function matchesPatterns(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return matchesHashed(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    if (pattern === '') continue;
    const negated = pattern.startsWith('!');
    const body = (negated ? pattern.slice(1) : pattern).toLowerCase();
    if (wildcardMatch(body, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function matchesHashed(entry: string, name: string): boolean {
  const [, , salt64, hash64] = entry.split('|');
  if (!salt64 || !hash64) return false;
  const expected = Buffer.from(hash64, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt64, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function wildcardMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === name;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}

/** ssh2 host-key algorithm names that can present a key of this known_hosts type. */
export function algorithmsForKeyType(type: string): string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type];
}

/** OpenSSH-style fingerprint (`SHA256:…`, unpadded base64) of a key blob, for messages. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type encoded at the start of an SSH public key blob (string length + name). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}
