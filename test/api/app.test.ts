import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config/load.ts';
import { Readiness } from '../../server/src/readiness.ts';
import { loggerOptions } from '../../server/src/logging.ts';
import { AppError } from '../../server/src/errors.ts';

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { logger: pino(loggerOptions('debug'), stream), lines };
}

async function makeApp(env: NodeJS.ProcessEnv = {}) {
  const { config } = loadConfig(env);
  const readiness = new Readiness();
  readiness.set('store', { ready: true });
  const captured = captureLogger();
  const app = await buildApp({ config, readiness, logger: captured.logger });
  // Routes that exercise the shared error handling from inside the real app.
  app.post('/test/echo', { config: { auth: 'public' }, schema: { body: Type.Object({ name: Type.String({ minLength: 1 }), count: Type.Integer({ minimum: 1 }) }) } }, async (req) => req.body);
  app.get('/test/boom', { config: { auth: 'public' } }, async () => { throw new Error('internal detail 7f3a'); });
  app.get('/test/app-error', { config: { auth: 'public' } }, async () => { throw new AppError('CONFLICT', 'vm web-01 already exists', { details: { vmName: 'web-01' } }); });
  app.post('/test/log-secret', { config: { auth: 'public' } }, async (req) => { req.log.info({ params: { password: 'hunter2', name: 'ok' } }, 'provision requested'); return { ok: true }; });
  await app.ready();
  return { app, readiness, ...captured };
}

const isProblem = (res: { headers: Record<string, unknown>; statusCode: number; json: () => Record<string, unknown> }, status: number, code: string) => {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  return body;
};

describe('HTTP application', () => {
  let ctx: Awaited<ReturnType<typeof makeApp>>;
  let app: FastifyInstance;
  before(async () => { ctx = await makeApp(); app = ctx.app; });
  after(async () => { await app.close(); });

  it('serves /healthz and /readyz, which turns 503 with the reason when a part is not ready', async () => {
    assert.deepEqual((await app.inject('/healthz')).json(), { status: 'ok' });
    const ready = await app.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().laboratory, true);
    ctx.readiness.set('store', { ready: false, detail: 'cannot open the store' });
    const notReady = await app.inject('/readyz');
    assert.equal(notReady.statusCode, 503);
    assert.equal(notReady.json().checks.store.detail, 'cannot open the store');
    ctx.readiness.set('store', { ready: true });
  });

  it('reports the version file at /api/v1/about', async () => {
    const about = (await app.inject('/api/v1/about')).json();
    assert.equal(about.version, readFileSync('version', 'utf8').trim());
    assert.equal(about.laboratory, true);
  });

  it('answers unknown routes with 404 and known paths with a wrong method with 405 + Allow', async () => {
    isProblem(await app.inject('/api/v1/nothing-here'), 404, 'NOT_FOUND');
    const res = await app.inject({ method: 'DELETE', url: '/healthz' });
    isProblem(res, 405, 'METHOD_NOT_ALLOWED');
    assert.match(String(res.headers.allow), /GET/);
  });

  it('rejects bad JSON, wrong content types and invalid bodies with problem+json', async () => {
    isProblem(await app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"name":' }), 400, 'BAD_REQUEST');
    isProblem(await app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'text/xml' }, payload: '<a/>' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const invalid = isProblem(await app.inject({ method: 'POST', url: '/test/echo', payload: { name: '', count: 0 } }), 400, 'VALIDATION_FAILED');
    const paths = (invalid.errors as { path: string }[]).map((e) => e.path).sort();
    assert.deepEqual(paths, ['body/count', 'body/name']);
    assert.equal((await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'a', count: 2 } })).statusCode, 200);
  });

  it('maps AppErrors to their status and hides internal errors unless DEBUG', async () => {
    const conflict = isProblem(await app.inject('/test/app-error'), 409, 'CONFLICT');
    assert.equal(conflict.vmName, 'web-01');
    const boom = isProblem(await app.inject('/test/boom'), 500, 'INTERNAL');
    assert.ok(!String(boom.detail).includes('7f3a'));
    assert.ok(!String(boom.detail).includes('at '));
  });

  it('carries a safe correlation id from the request to the response and the logs', async () => {
    const res = await app.inject({ url: '/healthz', headers: { 'x-correlation-id': 'req-123.abc' } });
    assert.equal(res.headers['x-correlation-id'], 'req-123.abc');
    const unsafe = await app.inject({ url: '/healthz', headers: { 'x-correlation-id': 'bad id\nwith newline' } });
    assert.match(String(unsafe.headers['x-correlation-id']), /^[0-9a-f-]{36}$/);
    assert.ok(ctx.lines.some((l) => l.includes('"req-123.abc"')));
  });

  it('redacts secrets from log lines and sets security headers', async () => {
    const res = await app.inject({ method: 'POST', url: '/test/log-secret?code=one-time-code-42', headers: { authorization: 'Bearer topsecret' } });
    assert.equal(res.statusCode, 200);
    const all = ctx.lines.join('');
    assert.ok(all.includes('provision requested'));
    assert.ok(!all.includes('hunter2'));
    assert.ok(!all.includes('topsecret'));
    assert.ok(!all.includes('one-time-code-42'), 'query strings are not logged');
    assert.ok(all.includes('/test/log-secret'));
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.headers['content-security-policy']);
  });

  it('publishes the OpenAPI document and Swagger UI from local files', async () => {
    const doc = (await app.inject('/openapi.json')).json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/v1/about']);
    assert.ok(doc.paths['/readyz']);
    const ui = await app.inject('/docs/');
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
    assert.ok(!/https?:\/\/(cdn|unpkg)/.test(ui.body), 'Swagger UI must not load from a CDN');
    const script = await app.inject('/docs/static/swagger-ui-bundle.js');
    assert.equal(script.statusCode, 200);
  });
});

describe('HTTP application with DEBUG', () => {
  it('includes the stack trace in internal errors', async () => {
    const { app } = await makeApp({ DEBUG: 'true' });
    try {
      const body = (await app.inject('/test/boom')).json();
      assert.match(String(body.detail), /at /);
    } finally {
      await app.close();
    }
  });
});
