/**
 * Structured logs (pino). Secrets are removed by path wherever they could appear in a log
 * object; the correlation id travels as `reqId` from the HTTP request into jobs and host calls.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';

const SECRET_KEYS = ['password', 'secret', 'token', 'apiToken', 'clientSecret', 'sessionSecret', 'secretsKey', 'authorization', 'cookie', 'privateKey', 'key', 'payload'];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
];

const CENSOR = '[redacted]';
const SECRET_KEY_SET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
/** Names that say "secret" whatever their prefix: guestPasswords, localAdminPassword, webClientSecret. */
const SECRET_NAME = /password|passphrase|secret/i;
const MAX_SCRUB_DEPTH = 12;

function isSecretKey(key: string, value: unknown): boolean {
  if (SECRET_KEY_SET.has(key.toLowerCase())) return true;
  // A flag about secrets (hasSecrets: true) or a count is not one.
  return SECRET_NAME.test(key) && typeof value !== 'boolean' && typeof value !== 'number';
}

/**
 * The redact paths above stop at a fixed depth; this removes secret-named fields at any depth of
 * plain objects and arrays (copying, never changing the caller's object). Errors are left to
 * their serializer: their messages and details are kept free of secrets where they are made.
 */
export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (depth > MAX_SCRUB_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const scrubbed = scrubSecrets(item, depth + 1);
      if (scrubbed !== item) (copy ??= [...value])[i] = scrubbed;
    });
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const scrubbed = isSecretKey(key, item) ? CENSOR : scrubSecrets(item, depth + 1);
    if (scrubbed !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = scrubbed;
  }
  return copy ?? value;
}

/** Requests are logged without their query string: it can carry one-time codes (OIDC callback). */
const requestSerializer = (req: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
  method: req.method,
  url: req.url?.split('?')[0],
  remoteAddress: req.ip ?? req.socket?.remoteAddress,
});

export function loggerOptions(level: string, pretty = false): LoggerOptions {
  return {
    level,
    serializers: { req: requestSerializer },
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    formatters: { log: (object) => scrubSecrets(object) as Record<string, unknown> },
    base: { service: 'aetherv-orchestrator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } } : {}),
  };
}

export function createLogger(level: string, pretty = false): Logger {
  return pino(loggerOptions(level, pretty));
}

export type { Logger };
