/**
 * Job secrets at rest (DESIGN §6, §8): AES-256-GCM with a key derived from SECRETS_KEY by
 * HKDF, so the configured text is never the cipher key itself. In the laboratory, with no
 * SECRETS_KEY, a random key per process is used: secrets of a job interrupted by a restart
 * cannot be read again, and such a job fails with JOB_SECRETS_UNREADABLE (documented).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';

const VERSION = 'v1';
export const REDACTED = '••••••';

export class SecretBox {
  private readonly key: Buffer;
  private readonly macKey: Buffer;
  /** True when the key was made up for this process (laboratory without SECRETS_KEY). */
  readonly ephemeral: boolean;

  constructor(secretsKey: string | undefined) {
    this.ephemeral = !secretsKey;
    const material = secretsKey ? Buffer.from(secretsKey, 'utf8') : randomBytes(32);
    this.key = Buffer.from(hkdfSync('sha256', material, 'aetherv', 'aetherv/job-secrets/v1', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', material, 'aetherv', 'aetherv/job-request-hash/v1', 32));
  }

  encrypt(value: unknown, associated: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associated, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** `associated` binds the ciphertext to its job: a row copied onto another job does not decrypt. */
  decrypt(text: string, associated: string): Record<string, unknown> {
    try {
      if (!text.startsWith(`${VERSION}:`)) throw new Error('unknown format');
      const raw = Buffer.from(text.slice(VERSION.length + 1), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(associated, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(plain) as Record<string, unknown>;
    } catch (error) {
      throw new AppError('JOB_SECRETS_UNREADABLE', this.ephemeral
        ? 'the job\'s secrets were encrypted by an earlier run with a per-run key (no SECRETS_KEY set); submit the job again'
        : 'the job\'s secrets cannot be decrypted with the configured SECRETS_KEY (was it changed?)', { cause: error });
    }
  }

  /** A keyed digest (so a stored request hash reveals nothing about the secrets it covers). */
  digest(text: string): string {
    return createHmac('sha256', this.macKey).update(text, 'utf8').digest('hex');
  }
}

/** Every string inside a secrets object that is worth hiding (very short values would redact ordinary words). */
export function secretValues(secrets: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 4) found.add(value);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(secrets);
  // Longest first: a secret containing another is hidden whole.
  return [...found].sort((a, b) => b.length - a.length);
}

/** Replaces each secret value (and its JSON-escaped form) in a text. */
export function redactText(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    out = out.split(secret).join(REDACTED);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(REDACTED);
  }
  return out;
}

/** Deep copy of a JSON value with every secret occurrence redacted. */
export function redactValue<T>(value: T, secrets: string[]): T {
  if (secrets.length === 0 || value === undefined) return value;
  return JSON.parse(redactText(JSON.stringify(value), secrets)) as T;
}
