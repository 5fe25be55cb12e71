/** The web UI's files as the orchestrator serves them: public, typed, revalidated, nothing outside server/web. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config/load.ts';
import { Readiness } from '../../server/src/readiness.ts';
import { WEB_ROOT } from '../../server/src/api/web.ts';

describe('web UI files', () => {
  let app: FastifyInstance;
  before(async () => {
    // Sign-in enabled and no session: the page must still load, its data must not.
    const { config } = loadConfig({ OIDC_ENABLED: 'true', OIDC_ISSUER_URL: 'https://login.example.invalid/tenant/v2.0', OIDC_CLIENT_ID: 'client', SESSION_SECRET: 'x'.repeat(48), HYPERV_HOSTS: 'hv01.example.invalid', SECRETS_KEY: 'y'.repeat(48) });
    app = await buildApp({ config, readiness: new Readiness(), logger: pino({ level: 'silent' }) });
  });
  after(() => app.close());

  it('serves the page at / to anonymous callers, with its scripts under /ui/', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<script type="module" src="\/ui\/main\.js">/);
    for (const ref of page.body.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)) {
      const res = await app.inject({ method: 'GET', url: ref[1]! });
      assert.equal(res.statusCode, 200, ref[1]);
    }
    const js = await app.inject({ method: 'GET', url: '/ui/main.js' });
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.equal(js.body, readFileSync(join(WEB_ROOT, 'main.js'), 'utf8'));
    assert.equal((await app.inject({ method: 'GET', url: '/ui/app.css' })).headers['content-type'], 'text/css; charset=utf-8');
    // Scripts from our origin only; nothing upgraded to https behind the page's back (plain-http laboratories).
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/);
    // The data behind the page is not public.
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/about' })).statusCode, 401);
  });

  it('answers 304 to a matching If-None-Match and revalidates every time', async () => {
    const first = await app.inject({ method: 'GET', url: '/ui/api.js' });
    assert.equal(first.headers['cache-control'], 'no-cache');
    const etag = String(first.headers.etag);
    assert.match(etag, /^".+"$/);
    const again = await app.inject({ method: 'GET', url: '/ui/api.js', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  it('serves nothing outside server/web and no unknown file', async () => {
    for (const url of ['/ui/..%2Fpackage.json', '/ui/%2e%2e%2f%2e%2e%2fpackage.json', '/ui/tsconfig.json', '/ui/.hidden.js', '/ui/missing.js', '/ui/index.html']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, url);
    }
  });

  it('every script in server/web is a checked ES module that builds DOM without innerHTML', () => {
    const scripts = readdirSync(WEB_ROOT).filter((f) => f.endsWith('.js'));
    assert.ok(scripts.length >= 8);
    for (const file of scripts) {
      const source = readFileSync(join(WEB_ROOT, file), 'utf8');
      assert.match(source, /^\/\/ @ts-check\n/, `${file} starts with // @ts-check`);
      assert.doesNotMatch(source, /\.innerHTML|insertAdjacentHTML|document\.write/, `${file} does not inject markup`);
      assert.doesNotMatch(source, /https?:\/\/(?!localhost)/, `${file} loads nothing from elsewhere`);
    }
  });

  it('type-checks (JSDoc types, // @ts-check, DOM library) with server/web/tsconfig.json', async () => {
    // The root tsconfig is for Node code (no DOM types), so the browser code has its own project.
    const tsc = join(WEB_ROOT, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', join(WEB_ROOT, 'tsconfig.json')], { timeout: 60_000 }).catch((error: { stdout?: string; code?: number }) => error);
    assert.ok(!('code' in result) || result.code === undefined, `tsc found errors:\n${result.stdout ?? ''}`);
  });
});
