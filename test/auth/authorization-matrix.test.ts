/**
 * The authorization matrix, generated from the route table: every registered route × {anonymous,
 * reader, writer, admin}. Routes added later are covered automatically; a route that declares no
 * requirement cannot even be registered.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { startApp, type TestApp } from './support.ts';
import Fastify from 'fastify';
import { installAuthorization, type AuthRequirement, type RouteRequirement } from '../../server/src/api/authorize.ts';
import { Authenticator } from '../../server/src/auth/authenticator.ts';
import type { Role } from '../../server/src/auth/principal.ts';

const RANK: Record<AuthRequirement, number> = { public: 0, reader: 1, writer: 2, admin: 3 };
const CALLERS = ['anonymous', 'reader', 'writer', 'admin'] as const;
type Caller = (typeof CALLERS)[number];

/** Every public route the design names, and only those. */
const PUBLIC = [/^\/healthz$/, /^\/readyz$/, /^\/agent\//, /^\/docs($|\/)/, /^\/openapi\.json$/, /^\/auth\//, /^\/$/, /^\/ui\//];
/** Routes only admins may call, whatever else is added later. */
const ADMIN_ONLY = [/^\/api\/v1\/tokens/, /^\/api\/v1\/audit/, /^\/api\/v1\/diagnostics/, /^\/api\/v1\/admin\//];
/** Writes under /api/v1 that touch only the caller's own state, not the estate. */
const OWN_STATE_WRITES = [/^\/api\/v1\/notifications\/(:[^/]+\/read|read-all)$/];

/** A concrete URL for a route template: parameters and wildcards become harmless ids. */
const concrete = (url: string) => url.replace(/:[A-Za-z0-9_]+/g, 'zz-none').replace(/\*$/, 'zz-none');

function expected(route: RouteRequirement, caller: Caller): 'allowed' | 'as-anonymous' | 401 | 403 {
  // A public route answers everyone alike (its own 4xx, e.g. a callback without a sign-in, included).
  if (route.auth === 'public') return 'as-anonymous';
  if (caller === 'anonymous') return 401;
  return RANK[caller] >= RANK[route.auth] ? 'allowed' : 403;
}

describe('authorization matrix (generated from the route table)', () => {
  let orch: TestApp;
  let app: FastifyInstance;
  const tokens: Partial<Record<Role, string>> = {};

  before(async () => {
    orch = await startApp({
      OIDC_ENABLED: 'true', OIDC_ISSUER_URL: 'http://127.0.0.1:9/never-contacted', OIDC_CLIENT_ID: 'aetherv',
      OIDC_REDIRECT_URI: 'http://127.0.0.1:9/auth/callback', SESSION_SECRET: randomBytes(32).toString('base64'),
    });
    app = orch.app;
    for (const role of ['reader', 'writer', 'admin'] as const) {
      tokens[role] = (await orch.services.tokens.create({ name: `matrix-${role}`, role, expiresAt: new Date(Date.now() + 3_600_000), createdBy: 'test' })).token;
    }
  });
  after(async () => { await orch?.stop(); });

  it('has every route of the application in the table, each with a requirement', () => {
    const table = app.routeRequirements;
    assert.ok(table.length >= 30, `only ${table.length} routes`);
    for (const url of ['/api/v1/hosts', '/api/v1/tokens', '/api/v1/audit', '/api/v1/diagnostics', '/api/v1/admin/redeploy', '/auth/me', '/ws', '/healthz']) {
      assert.ok(table.some((r) => r.url === url), `${url} is in the route table`);
    }
    const printed = app.printRoutes({ commonPrefix: false });
    for (const r of table) assert.ok(['public', 'reader', 'writer', 'admin'].includes(r.auth), `${r.method} ${r.url}`);
    assert.ok(printed.includes('tokens'));
  });

  it('follows the policy: public routes are exactly the named ones; reads need reader; writes writer; admin areas admin', () => {
    for (const r of app.routeRequirements) {
      const id = `${r.method} ${r.url} (${r.auth})`;
      assert.equal(r.auth === 'public', PUBLIC.some((p) => p.test(r.url)), `public iff named public: ${id}`);
      if (ADMIN_ONLY.some((p) => p.test(r.url))) assert.equal(r.auth, 'admin', id);
      if (r.url.startsWith('/api/')) {
        assert.ok(RANK[r.auth] >= RANK.reader, id);
        const write = !['GET', 'HEAD', 'OPTIONS'].includes(r.method);
        if (write && !OWN_STATE_WRITES.some((p) => p.test(r.url))) assert.ok(RANK[r.auth] >= RANK.writer, `writes need writer: ${id}`);
      }
    }
  });

  it('refuses to register a route that declares no requirement', async () => {
    const bare = Fastify();
    installAuthorization(bare, { authenticator: new Authenticator({ oidcEnabled: true, roleClaims: { reader: [], writer: [], admin: [] } }) });
    assert.throws(() => bare.get('/api/v1/forgotten', async () => ({})), /declares no authorization requirement/);
    assert.throws(() => bare.get('/api/v1/typo', { config: { auth: 'writers' as never } }, async () => ({})), /config.auth must be one of/);
    bare.get('/api/v1/declared', { config: { auth: 'writer' } }, async () => ({}));
    await bare.ready();
    assert.deepEqual(bare.routeRequirements.map((r) => `${r.method} ${r.url} ${r.auth}`), ['GET /api/v1/declared writer', 'HEAD /api/v1/declared writer']);
    await bare.close();
  });

  it('gives every route × caller the right status', async () => {
    const failures: string[] = [];
    const routes = app.routeRequirements.filter((r) => !r.websocket && r.method !== 'HEAD');
    for (const route of routes) {
      let anonymousStatus = 0;
      for (const caller of CALLERS) {
        const headers: Record<string, string> = {};
        if (caller !== 'anonymous') headers.authorization = `Bearer ${tokens[caller]}`;
        const res = await app.inject({ method: route.method as 'GET', url: concrete(route.url), headers, ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {}) });
        const want = expected(route, caller);
        if (caller === 'anonymous') anonymousStatus = res.statusCode;
        const ok = want === 'allowed' ? res.statusCode !== 401 && res.statusCode !== 403
          : want === 'as-anonymous' ? res.statusCode === anonymousStatus : res.statusCode === want;
        if (!ok) failures.push(`${route.method} ${route.url} as ${caller}: ${res.statusCode}, expected ${want}`);
        if (res.statusCode === 401 || res.statusCode === 403) {
          assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `${route.method} ${route.url}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it('shows each route\'s security requirement in the OpenAPI document', async () => {
    const doc = (await app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, { security?: unknown[]; description?: string }>>; components: { securitySchemes: Record<string, unknown> } };
    assert.ok(doc.components.securitySchemes.bearerAuth && doc.components.securitySchemes.cookieAuth);
    let checked = 0;
    for (const r of app.routeRequirements) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      if (!op) continue; // hidden (openapi.json itself, Swagger UI files, HEAD)
      checked++;
      if (r.auth === 'public') assert.deepEqual(op.security, [], `${r.method} ${r.url}`);
      else {
        assert.deepEqual(op.security, [{ bearerAuth: [] }, { cookieAuth: [] }], `${r.method} ${r.url}`);
        assert.match(op.description ?? '', new RegExp(`\\*\\*${r.auth}\\*\\*`), `${r.method} ${r.url}`);
      }
    }
    assert.ok(checked >= 25, `only ${checked} operations checked`);
  });

  it('treats an expired named token as no token, and records when a token was last used', async () => {
    const created = await orch.services.tokens.create({ name: 'short-lived', role: 'admin', expiresAt: new Date(Date.now() + 60_000), createdBy: 'test' });
    await orch.store.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', created.id).execute();
    assert.equal((await app.inject({ url: '/api/v1/hosts', headers: { authorization: `Bearer ${created.token}` } })).statusCode, 401);
    const listed = (await app.inject({ url: '/api/v1/tokens', headers: { authorization: `Bearer ${tokens.admin}` } })).json() as { items: { name: string; lastUsedAt: string | null; expired: boolean }[] };
    assert.ok(listed.items.find((t) => t.name === 'matrix-admin')?.lastUsedAt);
    assert.equal(listed.items.find((t) => t.name === 'short-lived')?.expired, true);
  });
});

describe('sign-in disabled (embedded laboratory)', () => {
  let orch: TestApp;
  before(async () => { orch = await startApp({}); });
  after(async () => { await orch?.stop(); });

  it('makes every caller a laboratory administrator, and says so', async () => {
    const me = (await orch.app.inject('/auth/me')).json() as Record<string, unknown>;
    assert.equal(me.signInEnabled, false);
    assert.equal(me.laboratoryAdmin, true);
    assert.deepEqual(me.roles, ['admin']);
    assert.match(String(me.notice), /laboratory administrator/);
    const ready = (await orch.app.inject('/readyz')).json() as { checks: Record<string, { detail?: string }> };
    assert.match(ready.checks.authentication?.detail ?? '', /SIGN-IN DISABLED/);
    for (const route of orch.app.routeRequirements.filter((r) => !r.websocket && r.method !== 'HEAD')) {
      const res = await orch.app.inject({ method: route.method as 'GET', url: concrete(route.url), ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {}) });
      assert.ok(res.statusCode !== 401 && res.statusCode !== 403, `${route.method} ${route.url}: ${res.statusCode}`);
    }
  });
});
