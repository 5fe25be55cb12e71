/**
 * The simulator's control API (issue 4), HTTP JSON on 127.0.0.1: host list and credentials
 * for clients, down/up and fault injection for tests, the Hyper-V model and the operation log
 * for assertions, reset between tests.
 */
import http from 'node:http';
import { NO_FAULTS, type HostFaults, type OpLogEntry } from '../contracts.ts';
import type { HostRow } from './endpoints.ts';

export interface Credentials { username: string; password: string; caFile: string }

/** What the control API drives: the running simulator. */
export interface ControlTarget {
  rows(): HostRow[];
  credentials: Credentials;
  /** false when there is no such host. */
  down(name: string): Promise<boolean>;
  up(name: string): Promise<boolean>;
  setFaults(name: string, faults: HostFaults): boolean;
  model(name: string): unknown;
  /** PUT /hosts/{name}/agent: which agent answers the host's calls; false when there is no such host. */
  setAgent?(name: string, agent: 'typescript' | 'powershell'): boolean;
  oplog(filter: { host?: string; since?: number }): OpLogEntry[];
  reset(): Promise<void>;
}

class BadRequest extends Error {}

function rate(value: unknown, field: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new BadRequest(`${field} must be a number from 0 to 1`);
  return value;
}

function millis(value: unknown, field: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 3_600_000)) throw new BadRequest(`${field} must be milliseconds from 0 to 3600000`);
  return value;
}

/** Validates a `PUT /hosts/{name}/faults` body; absent fields mean "no fault". */
export function parseFaults(body: unknown): HostFaults {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequest('body must be a JSON object');
  const b = body as Record<string, unknown>;
  const known = new Set(['latencyMs', 'jitterMs', 'failureRate', 'dropRate', 'authFailure', 'corruptDownloads', 'operations']);
  const unknown = Object.keys(b).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new BadRequest(`unknown field(s): ${unknown.join(', ')}`);
  if (b['authFailure'] !== undefined && typeof b['authFailure'] !== 'boolean') throw new BadRequest('authFailure must be a boolean');
  if (b['corruptDownloads'] !== undefined && typeof b['corruptDownloads'] !== 'boolean') throw new BadRequest('corruptDownloads must be a boolean');
  const operations: HostFaults['operations'] = {};
  if (b['operations'] !== undefined) {
    if (!b['operations'] || typeof b['operations'] !== 'object' || Array.isArray(b['operations'])) throw new BadRequest('operations must be an object');
    for (const [op, v] of Object.entries(b['operations'] as Record<string, unknown>)) {
      if (!v || typeof v !== 'object') throw new BadRequest(`operations.${op} must be an object`);
      const o = v as Record<string, unknown>;
      operations[op] = {};
      if (o['failureRate'] !== undefined) operations[op].failureRate = rate(o['failureRate'], `operations.${op}.failureRate`);
      if (o['delayMs'] !== undefined) operations[op].delayMs = millis(o['delayMs'], `operations.${op}.delayMs`);
    }
  }
  return {
    ...NO_FAULTS,
    latencyMs: millis(b['latencyMs'], 'latencyMs'),
    jitterMs: millis(b['jitterMs'], 'jitterMs'),
    failureRate: rate(b['failureRate'], 'failureRate'),
    dropRate: rate(b['dropRate'], 'dropRate'),
    authFailure: b['authFailure'] === true,
    ...(b['corruptDownloads'] === true ? { corruptDownloads: true } : {}),
    operations,
  };
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new BadRequest('body too large');
    parts.push(chunk as Buffer);
  }
  const text = Buffer.concat(parts).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
}

async function route(target: ControlTarget, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  const method = req.method ?? 'GET';
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const notFound = (what: string): void => reply(res, 404, { error: `${what} not found` });

  if (method === 'GET' && url.pathname === '/hosts') return reply(res, 200, target.rows());
  if (method === 'GET' && url.pathname === '/credentials') return reply(res, 200, target.credentials);
  if (method === 'POST' && url.pathname === '/reset') {
    await target.reset();
    return reply(res, 200, { reset: true });
  }
  if (method === 'GET' && url.pathname === '/oplog') {
    const host = url.searchParams.get('host') || undefined;
    const sinceText = url.searchParams.get('since');
    const since = sinceText ? Number(sinceText) : undefined;
    if (since !== undefined && !Number.isInteger(since)) throw new BadRequest('since must be an integer sequence number');
    return reply(res, 200, target.oplog({ ...(host ? { host } : {}), ...(since !== undefined ? { since } : {}) }));
  }
  if (parts[0] === 'hosts' && parts.length === 3) {
    const name = parts[1]!;
    const action = parts[2];
    if (method === 'POST' && (action === 'down' || action === 'up')) {
      const ok = action === 'down' ? await target.down(name) : await target.up(name);
      if (!ok) return notFound(`host ${name}`);
      return reply(res, 200, target.rows().find((r) => r.name.toLowerCase() === name.toLowerCase()));
    }
    if (method === 'PUT' && action === 'faults') {
      const faults = parseFaults(await readJson(req));
      return target.setFaults(name, faults) ? reply(res, 200, faults) : notFound(`host ${name}`);
    }
    if (method === 'PUT' && action === 'agent' && target.setAgent) {
      const body = await readJson(req);
      const agent = body && typeof body === 'object' ? (body as Record<string, unknown>)['agent'] : undefined;
      if (agent !== 'typescript' && agent !== 'powershell') throw new BadRequest('body must be {"agent":"typescript"} or {"agent":"powershell"}');
      return target.setAgent(name, agent) ? reply(res, 200, { name, agent }) : notFound(`host ${name}`);
    }
    if (method === 'GET' && action === 'model') {
      const model = target.model(name);
      return model === undefined ? notFound(`host ${name}`) : reply(res, 200, model);
    }
  }
  return reply(res, 404, { error: `no route for ${method} ${url.pathname}` });
}

export interface ControlServer { url: string; port: number; close(): Promise<void> }

export function startControlApi(target: ControlTarget, port: number, address = '127.0.0.1'): Promise<ControlServer> {
  const server = http.createServer((req, res) => {
    route(target, req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof BadRequest) reply(res, 400, { error: error.message });
      else reply(res, 500, { error: 'internal error' });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      const actual = (server.address() as { port: number }).port;
      resolve({
        url: `http://${address}:${actual}`,
        port: actual,
        close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
      });
    });
  });
}
