/**
 * Maps socket, DNS and TLS failures of one HTTP exchange to typed errors with a fix hint.
 * `requestSent` tells the caller whether the host may have acted on the request (drops after
 * the request was flushed cannot be retried blindly).
 */
import { AppError } from '../../errors.ts';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL']);
const DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_REVOKED', 'CERT_SIGNATURE_FAILURE', 'HOSTNAME_MISMATCH',
]);

export interface NetworkErrorContext {
  host: string;
  port: number;
  useTls: boolean;
  requestSent: boolean;
}

export function networkError(err: unknown, ctx: NetworkErrorContext): AppError {
  const code = (err as { code?: string } | undefined)?.code ?? '';
  const reason = err instanceof Error ? err.message : String(err);
  const where = `${ctx.host}:${ctx.port}`;
  const details = { host: ctx.host, port: ctx.port, errno: code || undefined, requestSent: ctx.requestSent };
  if (DNS_CODES.has(code)) {
    return new AppError('REMOTE_DNS', `${ctx.host} does not resolve (${code}); check the host name and DNS.`, { cause: err, details: { ...details, requestSent: false } });
  }
  if (CONNECT_CODES.has(code) || code === 'CONNECT_TIMEOUT') {
    return new AppError('REMOTE_CONNECT', `Cannot connect to WinRM at ${where} (${code === 'CONNECT_TIMEOUT' ? 'connect timed out' : code}); is the WinRM ${ctx.useTls ? 'HTTPS' : 'HTTP'} listener enabled and the firewall open?`, { cause: err, details: { ...details, requestSent: false } });
  }
  if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return new AppError('REMOTE_TLS', `TLS with ${where} failed: ${reason} (${code}); trust the host's CA with WINRM_CA_FILE, or check that the port serves HTTPS.`, { cause: err, details: { ...details, requestSent: false } });
  }
  if (DROP_CODES.has(code) || /socket hang up/i.test(reason)) {
    return new AppError('REMOTE_CONNECTION_DROPPED', `Connection to ${where} dropped${ctx.requestSent ? ' after the request was sent' : ''} (${code || reason}).`, { cause: err, details });
  }
  return new AppError('REMOTE_CONNECTION_DROPPED', `Exchange with ${where} failed: ${reason}`, { cause: err, details });
}
