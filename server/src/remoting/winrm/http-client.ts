/**
 * HTTP(S) POSTs of SOAP envelopes to one host's /wsman endpoint.
 *
 * Connections: each pooled connection is an Agent limited to one keep-alive socket, leased
 * to one exchange at a time. That keeps an NTLM/Kerberos handshake and the requests it
 * authenticates on the same TCP connection, and lets several commands run in parallel on
 * separate connections. An authenticated connection sends no Authorization header until the
 * socket closes; a 401 on it triggers one fresh handshake.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { AppError } from '../../errors.ts';
import type { AuthScheme, Challenge } from './auth/scheme.ts';
import { networkError } from './network-errors.ts';

export interface WinrmEndpoint {
  /** Host name: used for TLS verification, the Host header and Kerberos. */
  host: string;
  /** Connect here instead of resolving host (e.g. simulator loopback). */
  address?: string;
  port: number;
  useTls: boolean;
  caFile?: string;
  insecureSkipTlsVerify: boolean;
  connectTimeoutMs: number;
  /** A response slower than this (no bytes at all) fails with REMOTE_TIMEOUT. */
  responseTimeoutMs: number;
  /** Idle pooled connections kept open. */
  maxIdleConnections?: number;
}

export interface HttpResponse {
  status: number;
  body: string;
  /** Every WWW-Authenticate value, split per challenge. */
  challenges: Challenge[];
  /** The host certificate (DER) of the TLS connection that carried the response. */
  peerCertificate: Buffer | undefined;
}

interface Connection {
  agent: http.Agent;
  authenticated: boolean;
}

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export class WinrmHttpClient {
  readonly url: string;
  private readonly endpoint: WinrmEndpoint;
  private readonly auth: AuthScheme;
  private readonly idle: Connection[] = [];
  private readonly live = new Set<Connection>();
  private readonly ca: Buffer | undefined;
  private closed = false;

  constructor(endpoint: WinrmEndpoint, auth: AuthScheme) {
    this.endpoint = endpoint;
    this.auth = auth;
    const hostPart = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
    this.url = `${endpoint.useTls ? 'https' : 'http'}://${hostPart}:${endpoint.port}/wsman`;
    if (endpoint.caFile !== undefined) {
      try {
        this.ca = readFileSync(endpoint.caFile);
      } catch (err) {
        throw new AppError('CONFIG_INVALID', `Cannot read WINRM_CA_FILE ${endpoint.caFile}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  /** POST one SOAP envelope; authenticates as needed. Non-401 statuses are returned to the caller. */
  async post(xml: string, signal?: AbortSignal): Promise<HttpResponse> {
    if (this.closed) throw new AppError('REMOTE_CANCELLED', `WinRM client for ${this.endpoint.host} is closed`);
    const conn = this.acquire();
    try {
      let response: HttpResponse;
      if (this.auth.connectionBound && !conn.authenticated) {
        response = await this.handshake(conn, xml, signal);
      } else {
        const header = this.auth.requestHeader?.();
        response = await this.send(conn, xml, header, signal);
        if (response.status === 401 && this.auth.connectionBound) {
          conn.authenticated = false;
          response = await this.handshake(conn, xml, signal);
        }
      }
      if (response.status === 401) throw this.rejected(response);
      this.release(conn);
      return response;
    } catch (err) {
      this.discard(conn);
      throw err;
    }
  }

  /** Close every pooled connection. */
  close(): void {
    this.closed = true;
    for (const conn of this.live) conn.agent.destroy();
    this.live.clear();
    this.idle.length = 0;
  }

  private async handshake(conn: Connection, xml: string, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const startHandshake = this.auth.startHandshake;
    if (startHandshake === undefined) throw new AppError('INTERNAL', `${this.auth.name} has no handshake`);
    const session = await startHandshake();
    let header = await session.step(undefined);
    for (let leg = 0; leg < 4; leg += 1) {
      const response = await this.send(conn, session.carriesBody ? xml : '', header, signal);
      if (response.status !== 401) {
        await session.finish(this.pickChallenge(response)?.token);
        conn.authenticated = true;
        if (session.carriesBody) return response;
        // The handshake ended on a body-less leg: send the real request on the now-authenticated connection.
        return this.send(conn, xml, undefined, signal);
      }
      const challenge = this.pickChallenge(response);
      if (challenge === undefined) throw this.rejected(response);
      try {
        header = await session.step(challenge, { peerCertificate: response.peerCertificate });
      } catch (err) {
        if (err instanceof AppError && err.code === 'REMOTE_AUTH') throw this.rejected(response);
        throw err;
      }
    }
    throw this.rejected(undefined);
  }

  private pickChallenge(response: HttpResponse): Challenge | undefined {
    for (const scheme of this.auth.challengeSchemes) {
      const found = response.challenges.find((c) => c.scheme.toLowerCase() === scheme.toLowerCase());
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private rejected(response: HttpResponse | undefined): AppError {
    const offered = response?.challenges.map((c) => c.scheme) ?? [];
    const offersOurs = response === undefined || this.pickChallenge(response) !== undefined || offered.length === 0;
    const message = offersOurs
      ? `${this.endpoint.host} rejected our credentials: ${this.auth.rejectionHint}`
      : `${this.endpoint.host} does not offer ${this.auth.challengeSchemes.join('/')} authentication (it offers: ${[...new Set(offered)].join(', ')}); choose another WINRM_AUTH or enable it on the host.`;
    return new AppError('REMOTE_AUTH', message, { details: { host: this.endpoint.host, auth: this.auth.name, offered } });
  }

  private acquire(): Connection {
    const reused = this.idle.pop();
    if (reused !== undefined) return reused;
    const options = {
      keepAlive: true,
      maxSockets: 1,
      maxFreeSockets: 1,
      // Close idle sockets before Windows' HTTP.sys does (120 s) to avoid writing into a dead socket.
      timeout: Math.max(60_000, this.endpoint.responseTimeoutMs),
      scheduling: 'lifo' as const,
    };
    const agent = this.endpoint.useTls
      ? new https.Agent({
        ...options,
        ...(this.ca === undefined ? {} : { ca: this.ca }),
        rejectUnauthorized: !this.endpoint.insecureSkipTlsVerify,
        ...(isIP(this.endpoint.host) === 0 ? { servername: this.endpoint.host } : {}),
      })
      : new http.Agent(options);
    const conn: Connection = { agent, authenticated: false };
    this.live.add(conn);
    return conn;
  }

  private release(conn: Connection): void {
    if (this.closed || this.idle.length >= (this.endpoint.maxIdleConnections ?? 8)) {
      this.discard(conn);
      return;
    }
    this.idle.push(conn);
  }

  private discard(conn: Connection): void {
    conn.agent.destroy();
    this.live.delete(conn);
  }

  private send(conn: Connection, body: string, authorization: string | undefined, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const { host, address, port, useTls, connectTimeoutMs, responseTimeoutMs } = this.endpoint;
    const payload = Buffer.from(body, 'utf8');
    const headers: Record<string, string | number> = {
      Host: `${isIP(host) === 6 ? `[${host}]` : host}:${port}`,
      'Content-Type': 'application/soap+xml;charset=UTF-8',
      'Content-Length': payload.length,
      'User-Agent': 'Aether-V Orchestrator WinRM client',
    };
    if (authorization !== undefined) headers.Authorization = authorization;
    return new Promise<HttpResponse>((resolve, reject) => {
      let requestSent = false;
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        if (signal?.aborted) reject(signal.reason instanceof Error ? signal.reason : new AppError('REMOTE_CANCELLED', 'Host call cancelled'));
        else reject(err instanceof AppError ? err : networkError(err, { host, port, useTls, requestSent }));
      };
      const request = (useTls ? https : http).request({
        host: address ?? host, port, path: '/wsman', method: 'POST', agent: conn.agent, headers,
        ...(signal === undefined ? {} : { signal }),
      });
      request.on('socket', (socket: Socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => {
          socket.destroy(Object.assign(new Error(`connect to ${host}:${port} timed out`), { code: 'CONNECT_TIMEOUT' }));
        }, connectTimeoutMs);
        socket.once(useTls ? 'secureConnect' : 'connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
        // Any socket close forgets connection-bound authentication.
        socket.once('close', () => { conn.authenticated = false; });
      });
      request.setTimeout(responseTimeoutMs, () => {
        request.destroy(new AppError('REMOTE_TIMEOUT', `${host} sent no response within ${Math.round(responseTimeoutMs / 1000)} s`, { details: { host, requestSent } }));
      });
      request.on('finish', () => { requestSent = true; });
      request.on('error', fail);
      request.on('response', (res) => {
        // Read now: once the response ends the socket may be reused or closed.
        let cert: ReturnType<TLSSocket['getPeerCertificate']> | undefined;
        try {
          cert = useTls ? (res.socket as TLSSocket | null)?.getPeerCertificate?.() : undefined;
        } catch {
          // The socket can already be closed by the peer; the certificate is then simply unknown.
          cert = undefined;
        }
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            request.destroy(new AppError('REMOTE_PROTOCOL', `${host} sent a response larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          parts.push(chunk);
        });
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          resolve({
            status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), challenges: parseChallenges(res.rawHeaders),
            peerCertificate: cert !== undefined && Buffer.isBuffer(cert.raw) ? cert.raw : undefined,
          });
        });
      });
      request.end(payload);
    });
  }
}

/** Every WWW-Authenticate challenge; a header may list several ("Negotiate, Basic realm=..."). */
export function parseChallenges(rawHeaders: string[]): Challenge[] {
  const challenges: Challenge[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== 'www-authenticate') continue;
    for (const part of (rawHeaders[i + 1] ?? '').split(/,\s*(?=[A-Za-z][\w-]*(?:\s|$))/)) {
      const match = /^\s*([A-Za-z][\w-]*)(?:\s+(.+?))?\s*$/.exec(part);
      if (match === null || match[1] === undefined) continue;
      const rest = match[2];
      // Auth-params (realm="x") are not a token; a base64 blob is.
      const isToken = rest !== undefined && (!rest.includes('=') || /^[A-Za-z0-9+/]+=*$/.test(rest));
      const token = isToken ? rest : undefined;
      challenges.push({ scheme: match[1], token });
    }
  }
  return challenges;
}
