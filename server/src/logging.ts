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
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'aetherv-orchestrator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } } : {}),
  };
}

export function createLogger(level: string, pretty = false): Logger {
  return pino(loggerOptions(level, pretty));
}

export type { Logger };
