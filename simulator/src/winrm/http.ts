/**
 * The HTTP side of one host's WinRM service: `POST /wsman` with authentication, body limits,
 * fault injection (dropped connections, refused authentication) and SOAP dispatch. The same
 * handler serves the HTTP (5985) and HTTPS (5986) listeners.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CommandHost, HostFaults } from '../contracts.ts';
import { authenticate, type AuthPolicy } from './auth/authenticator.ts';
import { parseRequest } from './envelope.ts';
import { WsmanFault, faultEnvelope, faults } from './faults.ts';
import { handle } from './service.ts';
import { ShellRegistry } from './shells.ts';

export interface WinrmServiceOptions {
  /** The host's computer name (the `Machine` of faults, NTLM target). */
  name: string;
  commands: CommandHost;
  /** Read on every request so control-API changes apply at once. */
  faults: () => HostFaults;
  auth: AuthPolicy;
  /** WinRM MaxShellsPerUser (Windows default 30). */
  maxShellsPerUser?: number;
  /** WinRM Shell IdleTimeout in ms (Windows default 7,200,000). */
  idleTimeoutMs?: number;
  /** WinRM MaxEnvelopeSizekb (Windows default 500). */
  maxEnvelopeSizeKb?: number;
}

const SOAP_TYPE = 'application/soap+xml;charset=UTF-8';

export class WinrmService {
  readonly shells: ShellRegistry;
  private readonly maxEnvelopeSize: number;

  constructor(private readonly options: WinrmServiceOptions) {
    this.shells = new ShellRegistry(() => options.commands, {
      maxShellsPerUser: options.maxShellsPerUser ?? 30,
      idleTimeoutMs: options.idleTimeoutMs ?? 7_200_000,
    });
    this.maxEnvelopeSize = (options.maxEnvelopeSizeKb ?? 500) * 1024;
  }

  /** A request listener for a listener at `baseUrl` (e.g. `https://127.0.10.1:5986`). */
  listener(encrypted: boolean, baseUrl: () => string): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      this.serve(req, res, encrypted, baseUrl).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse, encrypted: boolean, baseUrl: () => string): Promise<void> {
    const hostFaults = this.options.faults();
    if (hostFaults.dropRate > 0 && Math.random() < hostFaults.dropRate) {
      req.socket.destroy();
      return;
    }
    res.setHeader('Server', 'Microsoft-HTTPAPI/2.0');
    const path = (req.url ?? '').split('?')[0]?.toLowerCase();
    if (path !== '/wsman') {
      req.resume();
      res.writeHead(404, { 'content-length': 0 }).end();
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.writeHead(405, { 'content-length': 0, allow: 'POST' }).end();
      return;
    }
    const auth = await authenticate(req, encrypted, this.options.auth, hostFaults.authFailure);
    if (!auth.ok) {
      // Drain the body first so the keep-alive connection (and its NTLM state) stays usable.
      req.resume();
      await new Promise<void>((resolve) => { req.once('end', resolve); req.once('close', resolve); });
      res.writeHead(401, { ...auth.headers, 'content-length': 0 }).end();
      return;
    }
    for (const [k, v] of Object.entries(auth.headers)) res.setHeader(k, v);
    const body = await readBody(req, this.maxEnvelopeSize);
    let relatesTo: string | undefined;
    try {
      if (body === undefined) throw faults.envelopeTooLarge(this.maxEnvelopeSize);
      const request = parseRequest(body);
      relatesTo = request.messageId;
      const aborted = new AbortController();
      res.once('close', () => aborted.abort());
      const xml = await handle(request, this.shells, {
        user: auth.user, address: `${baseUrl()}/wsman`, maxEnvelopeSize: this.maxEnvelopeSize, signal: aborted.signal,
      });
      send(res, 200, xml);
    } catch (error) {
      const fault = error instanceof WsmanFault ? error : faults.schemaValidation('Internal error.');
      if (body === undefined) res.setHeader('connection', 'close');
      send(res, fault.spec.httpStatus, faultEnvelope(fault, relatesTo, this.options.name));
    }
  }
}

function send(res: ServerResponse, status: number, xml: string): void {
  if (res.destroyed) return;
  const bytes = Buffer.from(xml, 'utf8');
  res.writeHead(status, { 'content-type': SOAP_TYPE, 'content-length': bytes.length }).end(bytes);
}

/** The request body as text, or undefined when it exceeds `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else parts.push(chunk);
    });
    req.once('end', () => resolve(over ? undefined : Buffer.concat(parts).toString('utf8')));
    req.once('error', reject);
  });
}
