/**
 * The loopback HTTP endpoint AetherV.SimBackend.psm1 calls for every cmdlet: POST with the
 * fleet's per-run bearer token and `{host, cmdlet, parameterSet, params}`; the answer is the
 * cmdlet's output objects, its non-terminating errors and its terminating error (wire.ts).
 * One keep-alive connection per pwsh process, so a cmdlet call costs a round trip, not a start.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostModel } from '../host/model.ts';
import type { SimRuntime } from '../host/runtime.ts';
import { CLUSTER_CMDLETS } from './cmdlets/cluster.ts';
import { CIM_CMDLETS } from './cmdlets/cim.ts';
import { fromFailure, type CmdletContext, type CmdletImpl } from './cmdlets/context.ts';
import { NETWORK_CMDLETS } from './cmdlets/network.ts';
import { POWER_CMDLETS } from './cmdlets/power.ts';
import { STORAGE_CMDLETS } from './cmdlets/storage.ts';
import { VM_CMDLETS } from './cmdlets/vm.ts';
import { CmdletError, type CmdletAnswer } from './wire.ts';

export const CMDLETS: Record<string, CmdletImpl> = {
  ...VM_CMDLETS, ...POWER_CMDLETS, ...STORAGE_CMDLETS, ...NETWORK_CMDLETS, ...CIM_CMDLETS, ...CLUSTER_CMDLETS,
};

export interface BackendHost { model: HostModel; installDirectory: string }

export interface Backend {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;

export async function runCmdlet(host: BackendHost, rt: SimRuntime, cmdlet: string, parameterSet: string, params: Record<string, unknown>): Promise<CmdletAnswer> {
  const impl = CMDLETS[cmdlet];
  const c: CmdletContext = { cmdlet, parameterSet, params, host: host.model, rt, installDirectory: host.installDirectory, errors: [] };
  if (!impl) {
    return { output: [], errors: [], terminating: { message: `The simulator does not implement ${cmdlet}.`, category: 'NotImplemented', fqid: `NotImplemented,${cmdlet}`, exception: 'InvalidOperation' } };
  }
  try {
    const output = await impl(c);
    return { output, errors: c.errors, terminating: null };
  } catch (err) {
    const e = err instanceof CmdletError ? err : fromFailure(c, err);
    if (e.nonTerminating) return { output: [], errors: [...c.errors, e.wire], terminating: null };
    return { output: [], errors: c.errors, terminating: e.wire };
  }
}

export async function startBackend(resolve: (hostName: string) => BackendHost | undefined, rt: SimRuntime): Promise<Backend> {
  const token = randomBytes(24).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  const server = http.createServer((req, res) => {
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (req.method !== 'POST' || auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      res.writeHead(401).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        let body: { host?: string; cmdlet?: string; parameterSet?: string; params?: Record<string, unknown> };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        } catch {
          res.writeHead(400).end('body is not JSON');
          return;
        }
        const host = resolve(String(body.host ?? ''));
        if (!host) {
          res.writeHead(404).end(`no simulated host ${String(body.host)}`);
          return;
        }
        const answer = await runCmdlet(host, rt, String(body.cmdlet), String(body.parameterSet ?? ''), body.params ?? {});
        const text = JSON.stringify(answer);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
      })().catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(err instanceof Error ? err.message : String(err));
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cmdlet`,
    token,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
