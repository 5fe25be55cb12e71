/**
 * The `corruptDownloads` fault for hosts that run the real bootstrap scripts: a pull install's
 * baseUrl is pointed at this loopback proxy, which fetches each file from the real URL and flips
 * one byte of it in transit (as host/bootstrap.ts does for the TypeScript bootstrap), so only
 * the install script's own SHA-256 check can catch it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { splitLoaderInput } from '../host/bootstrap.ts';

let proxy: http.Server | undefined;

function startProxy(): http.Server {
  if (!proxy) {
    proxy = http.createServer((req, res) => {
      const m = /^\/([A-Za-z0-9_-]+)\/(.*)$/.exec(req.url ?? '');
      if (!m) return void res.writeHead(404).end();
      fetch(`${Buffer.from(m[1]!, 'base64url').toString('utf8')}/${m[2]!}`).then(async (upstream) => {
        const bytes = Buffer.from(await upstream.arrayBuffer());
        if (upstream.ok && bytes.length > 0) bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
        res.writeHead(upstream.status, { 'content-type': 'application/octet-stream' }).end(bytes);
      }, () => res.writeHead(502).end());
    });
    proxy.listen(0, '127.0.0.1');
    // Never keeps a process alive; it lives as long as the fleets of the process.
    proxy.unref();
  }
  return proxy;
}

/**
 * RunHooks.rewriteStdin of a bootstrap call under the fault: pull installs download through the
 * proxy. Called when the process is spawned: the proxy is bound (on the next tick) long before
 * the call's standard input has ended, which is when the rewrite runs.
 */
export function corruptingStdin(): (input: Buffer) => Buffer {
  const server = startProxy();
  return (stdin) => {
    // The bootstrap loader's stdin: the script's line, then the input JSON (host/bootstrap.ts).
    const { scriptLine, input } = splitLoaderInput(stdin.toString('utf8'));
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(input) as Record<string, unknown>;
    } catch {
      return stdin;
    }
    if (params.mode !== 'pull' || typeof params.baseUrl !== 'string') return stdin;
    const address = server.address() as AddressInfo | null;
    if (!address) throw new Error('the corrupting download proxy is not listening yet');
    const base = Buffer.from(params.baseUrl.replace(/\/+$/, ''), 'utf8').toString('base64url');
    return Buffer.from(`${scriptLine}\n${JSON.stringify({ ...params, baseUrl: `http://127.0.0.1:${address.port}/${base}` })}`, 'utf8');
  };
}
