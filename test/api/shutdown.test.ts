import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import pino from 'pino';
import { buildApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config/load.ts';
import { Readiness } from '../../server/src/readiness.ts';

describe('graceful shutdown', () => {
  it('finishes in-flight requests before the server closes', async () => {
    const { config } = loadConfig({});
    const app = await buildApp({ config, readiness: new Readiness(), logger: pino({ level: 'silent' }) });
    let release!: () => void;
    const started = new Promise<void>((resolve) => {
      app.get('/test/slow', { config: { auth: 'public' } }, async () => {
        resolve();
        await new Promise<void>((r) => { release = r; });
        return { finished: true };
      });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/test/slow`);
    await started;
    const closing = app.close();
    setTimeout(() => release(), 200);
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { finished: true });
    await closing;
  });

  it('stops on SIGTERM during start-up deployment: exits 0 promptly, logs the stop and closes the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aetherv-shutdown-'));
    try {
      const db = join(dir, 'a.db');
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli/main.ts', 'start'], {
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${db}`, HYPERV_HOSTS: '', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => { out += String(d); });
      child.stderr.on('data', (d) => { out += String(d); });
      const deadline = Date.now() + 30_000;
      let url: string | undefined;
      while (!url && Date.now() < deadline) {
        url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(url, `server did not start:\n${out}`);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      // Mid start-up: the laboratory's hosts are downloading the agent from this very server.
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0, out);
      assert.match(out, /"msg":"stopped"/);
      // SQLite removes its write-ahead log when the last connection closes cleanly.
      assert.ok(existsSync(db));
      assert.ok(!existsSync(`${db}-wal`), 'store was not closed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
