/**
 * Named API tokens, the audit trail and WebSocket authentication, through the real HTTP app
 * and store.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { startApp, type TestApp } from './support.ts';
import { SESSION_COOKIE } from '../../server/src/auth/session.ts';
import type { AuditRecord } from '../../server/src/auth/audit-log.ts';

const CLIENT_SECRET = `client-secret-${randomBytes(8).toString('hex')}`;
const STATIC_TOKEN = `static-${randomBytes(24).toString('hex')}`;

describe('API tokens, audit trail and WebSocket authentication', () => {
  let orch: TestApp;
  let admin: string;
  let reader: string;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  before(async () => {
    orch = await startApp({
      OIDC_ENABLED: 'true', OIDC_ISSUER_URL: 'http://127.0.0.1:9/never-contacted', OIDC_CLIENT_ID: 'aetherv', OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URI: 'http://127.0.0.1:9/auth/callback', SESSION_SECRET: randomBytes(32).toString('base64'), API_TOKEN: STATIC_TOKEN,
    }, {
      // A stand-in for a job-creating route: the audit keeps the id of the job a 202 announces.
      beforeReady: (app) => app.post('/api/v1/test/vms/:id/stop', { config: { auth: 'writer' } }, async (_request, reply) => reply.code(202).send({ id: 'job-7f3a', kind: 'vm.power' })),
    });
    admin = (await orch.services.tokens.create({ name: 'ops-admin', role: 'admin', expiresAt: new Date(Date.now() + 3_600_000), createdBy: 'test' })).token;
    reader = (await orch.services.tokens.create({ name: 'dashboard', role: 'reader', expiresAt: new Date(Date.now() + 3_600_000), createdBy: 'test' })).token;
  });
  after(async () => { await orch?.stop(); });

  const audit = async (query: string) => (await orch.app.inject({ url: `/api/v1/audit?${query}`, headers: bearer(admin) })).json() as { items: AuditRecord[]; total: number; nextCursor: string | null };
  /** Audit records are written just after the response: wait (bounded) for the expected one. */
  async function eventually(query: string, match: (r: AuditRecord) => boolean): Promise<AuditRecord> {
    for (let i = 0; i < 50; i++) {
      const found = (await audit(query)).items.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no audit record matching ${query}`);
  }

  it('creates a named token shown once, lists it without its secret, and revokes it', async () => {
    const created = await orch.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin), payload: { name: 'backup-job', role: 'writer', expiresInDays: 7 } });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers['cache-control'], 'no-store');
    const body = created.json() as { id: string; token: string; role: string; expiresAt: string };
    assert.match(body.token, /^avt_[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    assert.equal(body.role, 'writer');
    assert.ok(Math.abs(Date.parse(body.expiresAt) - (Date.now() + 7 * 86_400_000)) < 60_000);

    const listed = await orch.app.inject({ url: '/api/v1/tokens', headers: bearer(admin) });
    assert.ok(!listed.body.includes(body.token.split('.')[1]!), 'the secret is never listed');
    const row = await orch.store.db.selectFrom('api_tokens').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(body.token.split('.')[1]!), 'only a hash is stored');

    assert.equal((await orch.app.inject({ url: '/api/v1/hosts', headers: bearer(body.token) })).statusCode, 200);
    assert.equal((await orch.app.inject({ method: 'POST', url: '/api/v1/test/vms/vm-1/stop', headers: bearer(body.token) })).statusCode, 202);
    assert.equal((await orch.app.inject({ url: '/api/v1/tokens', headers: bearer(body.token) })).statusCode, 403);
    const wrongSecret = `${body.token.slice(0, -4)}AAAA`;
    assert.equal((await orch.app.inject({ url: '/api/v1/hosts', headers: bearer(wrongSecret) })).statusCode, 401);

    assert.equal((await orch.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin), payload: { name: 'backup-job', role: 'reader' } })).statusCode, 409);
    assert.equal((await orch.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${body.id}`, headers: bearer(admin) })).statusCode, 204);
    assert.equal((await orch.app.inject({ url: '/api/v1/hosts', headers: bearer(body.token) })).statusCode, 401);
    assert.equal((await orch.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${body.id}`, headers: bearer(admin) })).statusCode, 404);
  });

  it('accepts the static API_TOKEN as admin', async () => {
    assert.equal((await orch.app.inject({ url: '/api/v1/diagnostics', headers: bearer(STATIC_TOKEN) })).statusCode, 200);
  });

  it('audits writes (with the job they created), denied requests and failed sign-ins — and no secret', async () => {
    const created = (await orch.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin), payload: { name: 'audited', role: 'reader' } })).json() as { token: string };
    const write = await eventually('route=/api/v1/tokens&outcome=success', (r) => r.method === 'POST');
    assert.equal(write.tokenName, 'ops-admin');
    assert.equal(write.via, 'named-token');
    assert.equal(write.status, 201);
    assert.equal(write.ip, '127.0.0.1');

    await orch.app.inject({ method: 'POST', url: '/api/v1/test/vms/vm-42/stop', headers: bearer(admin) });
    const job = await eventually('route=/api/v1/test/vms/:id/stop', (r) => r.target?.id === 'vm-42');
    assert.equal(job.jobId, 'job-7f3a');
    assert.equal(job.status, 202);

    assert.equal((await orch.app.inject({ method: 'POST', url: '/api/v1/hosts/HV9/refresh', headers: bearer(reader) })).statusCode, 403);
    const denied = await eventually('outcome=denied', (r) => r.route === '/api/v1/hosts/:host/refresh');
    assert.equal(denied.name, 'dashboard');
    assert.deepEqual(denied.target, { host: 'HV9' });
    assert.match(denied.detail ?? '', /writer/);

    const fake = `avt_00000000-0000-4000-8000-000000000000.${'x'.repeat(43)}`;
    assert.equal((await orch.app.inject({ url: '/api/v1/vms', headers: bearer(fake) })).statusCode, 401);
    const unauthenticated = await eventually('outcome=unauthenticated', (r) => r.route === '/api/v1/vms');
    assert.equal(unauthenticated.subject, null);

    const cb = await orch.app.inject({ url: '/auth/callback?code=stolen-code&state=forged' });
    assert.equal(cb.statusCode, 401);
    const signIn = await eventually('outcome=sign-in-failed', (r) => r.route === '/auth/callback');
    assert.match(signIn.detail ?? '', /no sign-in in progress/);

    const everything = JSON.stringify(await audit('limit=1000'));
    for (const secret of [created.token, created.token.split('.')[1]!, admin.split('.')[1]!, reader.split('.')[1]!, fake, STATIC_TOKEN, CLIENT_SECRET, 'stolen-code']) {
      assert.ok(!everything.includes(secret), `the audit log holds no secret (${secret.slice(0, 8)}…)`);
    }
  });

  it('filters and pages the audit log, for admins only', async () => {
    const first = await audit('limit=1');
    assert.equal(first.items.length, 1);
    assert.ok(first.total > 1);
    assert.ok(first.nextCursor);
    const second = await audit(`limit=1&cursor=${first.nextCursor}`);
    assert.notEqual(second.items[0]?.id, first.items[0]?.id);
    assert.ok(Date.parse(second.items[0]!.at) <= Date.parse(first.items[0]!.at));
    assert.equal((await audit(`since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).total, 0);
    const bySubject = await audit('subject=nobody-at-all');
    assert.equal(bySubject.total, 0);
    assert.equal((await orch.app.inject({ url: '/api/v1/audit', headers: bearer(reader) })).statusCode, 403);
    const bad = await orch.app.inject({ url: '/api/v1/audit?outcome=maybe', headers: bearer(admin) });
    assert.equal(bad.statusCode, 400);
    assert.match(String(bad.headers['content-type']), /problem\+json/);
  });

  it('reports diagnostics to admins', async () => {
    const res = await orch.app.inject({ url: '/api/v1/diagnostics', headers: bearer(admin) });
    assert.equal(res.statusCode, 200);
    const body = res.json() as Record<string, unknown>;
    for (const key of ['remoting', 'deployment', 'inventory', 'jobs']) assert.ok(key in body, key);
    assert.equal(typeof (body.inventory as { revision: unknown }).revision, 'number');
  });

  it('rate-limits the sign-in endpoints with a problem+json 429', async () => {
    let last = 0;
    let limited: Awaited<ReturnType<typeof orch.app.inject>> | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await orch.app.inject({ method: 'POST', url: '/auth/logout' });
      last = res.statusCode;
      if (res.statusCode === 429) limited = res;
    }
    assert.ok(limited, `no 429 after 40 requests (last ${last})`);
    assert.match(String(limited.headers['content-type']), /problem\+json/);
    assert.equal((limited.json() as { code: string }).code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    // Other routes are not affected.
    assert.equal((await orch.app.inject({ url: '/healthz' })).statusCode, 200);
  });

  describe('WebSocket', () => {
    const wsUrl = () => orch.url.replace('http://', 'ws://') + '/ws';
    /** The close code, or 'open' with the first message when the server accepts the connection. */
    function connect(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<{ code?: number; message?: string; protocol?: string }> {
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
        const timer = setTimeout(() => { socket.terminate(); reject(new Error('no answer in 5 s')); }, 5000);
        socket.on('message', (data) => { clearTimeout(timer); const protocol = socket.protocol; socket.close(); resolve({ message: String(data), protocol }); });
        socket.on('close', (code) => { clearTimeout(timer); resolve({ code }); });
        socket.on('error', (error) => { clearTimeout(timer); reject(error); });
      });
    }
    const sessionCookie = () => {
      const session = orch.app.createSecureSession({ user: { sub: 'alice', name: 'Alice', roles: ['reader'], exp: Math.floor(Date.now() / 1000) + 3600, csrf: 'c' } });
      return `${SESSION_COOKIE}=${encodeURIComponent(orch.app.encodeSecureSession(session))}`;
    };

    it('closes unauthenticated connections with 1008, also with a token in the URL', async () => {
      assert.equal((await connect(wsUrl())).code, 1008);
      assert.equal((await connect(`${wsUrl()}?token=${encodeURIComponent(reader)}`)).code, 1008);
      assert.equal((await connect(wsUrl(), { protocols: ['bearer', 'avt_not-a-token'] })).code, 1008);
    });

    it('accepts a bearer token as the subprotocol pair "bearer, <token>"', async () => {
      const answer = await connect(wsUrl(), { protocols: ['bearer', reader] });
      assert.equal(answer.protocol, 'bearer');
      assert.match(answer.message ?? '', /welcome/);
    });

    it('accepts the session cookie from our own origin only', async () => {
      const cookie = sessionCookie();
      const own = await connect(wsUrl(), { headers: { cookie, origin: orch.url } });
      assert.match(own.message ?? '', /welcome/);
      assert.equal((await connect(wsUrl(), { headers: { cookie, origin: 'https://evil.example' } })).code, 1008);
    });
  });
});
