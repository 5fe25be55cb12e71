/**
 * Sign-in against a real OpenID provider (oidc-provider on loopback): the browser flow with
 * PKCE/state/nonce, the session cookie and its CSRF token, logout, a service principal's
 * client-credentials token, and every kind of bad token being refused.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { SignJWT, generateKeyPair, exportSPKI, type JWTPayload } from 'jose';
import { API_AUDIENCE, Browser, SP_CLIENT, WEB_CLIENT, freePort, startApp, startProvider, type TestApp, type TestProvider } from './support.ts';
import { SESSION_COOKIE } from '../../server/src/auth/session.ts';

describe('OpenID Connect sign-in and bearer tokens', () => {
  let provider: TestProvider;
  let orch: TestApp;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
    provider = await startProvider(redirectUri);
    env = {
      OIDC_ENABLED: 'true', OIDC_ISSUER_URL: provider.issuer, OIDC_CLIENT_ID: WEB_CLIENT.id, OIDC_CLIENT_SECRET: WEB_CLIENT.secret,
      OIDC_REDIRECT_URI: redirectUri, OIDC_API_AUDIENCE: API_AUDIENCE, SESSION_SECRET: randomBytes(32).toString('base64'),
      // As behind a TLS-terminating reverse proxy: X-Forwarded-Proto decides whether cookies are Secure.
      TRUST_PROXY: 'true',
    };
    orch = await startApp(env, { port });
  });
  after(async () => {
    await orch?.stop();
    await provider?.stop();
  });

  const me = async (browser: Browser) => (await (await browser.request(`${orch.url}/auth/me`)).json()) as Record<string, unknown>;

  it('signs a browser in: login → provider → callback → session → /auth/me', async () => {
    const browser = new Browser();
    const login = await browser.request(`${orch.url}/auth/login?returnTo=${encodeURIComponent('/vms?state=Running')}`);
    assert.equal(login.status, 302);
    const authorize = new URL(login.headers.get('location')!);
    assert.equal(authorize.origin, provider.issuer);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce'));

    const { res } = await browser.signIn(authorize.href, 'alice', `${orch.url}/auth/callback`);
    assert.equal(res.status, 302, await res.clone().text());
    assert.equal(res.headers.get('location'), '/vms?state=Running');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(setCookie, 'session cookie set');
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    assert.doesNotMatch(setCookie, /Secure/i, 'plain http without TRUST_PROXY: not Secure');

    const who = await me(browser);
    assert.equal(who.authenticated, true);
    assert.equal(who.name, 'alice@example.test');
    assert.deepEqual(who.roles, ['writer']);
    assert.equal(who.via, 'session');
    assert.equal(typeof who.csrfToken, 'string');
    // The cookie holds no provider token: it stays small.
    assert.ok(browser.cookies(orch.url).get(SESSION_COOKIE)!.length < 600);

    // A read works with the cookie alone.
    assert.equal((await browser.request(`${orch.url}/api/v1/hosts`)).status, 200);
  });

  it('marks cookies Secure when the proxy says the browser used https', async () => {
    const res = await new Browser().request(`${orch.url}/auth/login`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(res.status, 302);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('aetherv_login='));
    assert.ok(cookie);
    assert.match(cookie, /;\s*Secure/i);
    assert.match(cookie, /HttpOnly/i);
  });

  it('refuses a cookie-authenticated write without the CSRF token, and accepts it with', async () => {
    const browser = new Browser();
    const login = await browser.request(`${orch.url}/auth/login`);
    await browser.signIn(login.headers.get('location')!, 'alice', `${orch.url}/auth/callback`);
    const { csrfToken } = await me(browser);
    const without = await browser.request(`${orch.url}/api/v1/notifications/read-all`, { method: 'POST' });
    assert.equal(without.status, 403);
    assert.match(((await without.json()) as { detail: string }).detail, /x-csrf-token/i);
    const wrong = await browser.request(`${orch.url}/api/v1/notifications/read-all`, { method: 'POST', headers: { 'x-csrf-token': 'not-the-token' } });
    assert.equal(wrong.status, 403);
    const withToken = await browser.request(`${orch.url}/api/v1/notifications/read-all`, { method: 'POST', headers: { 'x-csrf-token': String(csrfToken) } });
    assert.equal(withToken.status, 200);
    // A writer is still not an admin.
    const admin = await browser.request(`${orch.url}/api/v1/tokens`, { method: 'POST', body: JSON.stringify({ name: 'x', role: 'reader' }), headers: { 'x-csrf-token': String(csrfToken), 'content-type': 'application/json' } });
    assert.equal(admin.status, 403);
  });

  it('maps api://…/vm-admin to admin, and only safe return paths are followed', async () => {
    const browser = new Browser();
    const login = await browser.request(`${orch.url}/auth/login?returnTo=${encodeURIComponent('//evil.example/x')}`);
    const { res } = await browser.signIn(login.headers.get('location')!, 'root', `${orch.url}/auth/callback`);
    assert.equal(res.headers.get('location'), '/');
    assert.deepEqual((await me(browser)).roles, ['admin']);
  });

  it('logs out: the session is gone and the provider end-session URL is returned', async () => {
    const browser = new Browser();
    const login = await browser.request(`${orch.url}/auth/login`);
    await browser.signIn(login.headers.get('location')!, 'alice', `${orch.url}/auth/callback`);
    const cookieBefore = browser.cookies(orch.url).get(SESSION_COOKIE)!;
    const out = await browser.request(`${orch.url}/auth/logout`, { method: 'POST' });
    assert.equal(out.status, 200);
    const body = await out.json() as { signedOut: boolean; redirectUrl: string };
    assert.equal(body.signedOut, true);
    assert.ok(body.redirectUrl.startsWith(`${provider.issuer}/`), body.redirectUrl);
    assert.equal(new URL(body.redirectUrl).searchParams.get('client_id'), WEB_CLIENT.id);
    assert.equal((await me(browser)).authenticated, false);
    assert.equal((await browser.request(`${orch.url}/api/v1/hosts`)).status, 401);
    // Logging out cannot revoke a stateless cookie that was copied, but it expires (8 h) and carries no provider token.
    assert.ok(cookieBefore.length > 0);
  });

  it('refuses a user with no Aether-V role, and a callback with a forged state', async () => {
    const browser = new Browser();
    const login = await browser.request(`${orch.url}/auth/login`);
    const { res } = await browser.signIn(login.headers.get('location')!, 'nobody', `${orch.url}/auth/callback`);
    assert.equal(res.status, 403);
    assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    assert.equal((await me(browser)).authenticated, false);

    const forged = new Browser();
    await forged.request(`${orch.url}/auth/login`);
    const cb = await forged.request(`${orch.url}/auth/callback?code=abc&state=forged`);
    assert.equal(cb.status, 401);
    const noState = await new Browser().request(`${orch.url}/auth/callback?code=abc&state=x`);
    assert.equal(noState.status, 401);
  });

  it('accepts a service principal\'s client-credentials token', async () => {
    const res = await fetch(`${provider.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: SP_CLIENT.id, client_secret: SP_CLIENT.secret, resource: API_AUDIENCE, scope: 'api' }).toString(),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { access_token: token } = await res.json() as { access_token: string };
    assert.equal(token.split('.').length, 3);
    const auth = { authorization: `Bearer ${token}` };
    const who = await (await fetch(`${orch.url}/auth/me`, { headers: auth })).json() as Record<string, unknown>;
    assert.equal(who.kind, 'service-principal');
    assert.deepEqual(who.roles, ['writer']);
    assert.equal((await fetch(`${orch.url}/api/v1/hosts`, { headers: auth })).status, 200);
    // Bearer callers need no CSRF token (browsers do not attach Authorization by themselves).
    assert.equal((await fetch(`${orch.url}/api/v1/notifications/read-all`, { method: 'POST', headers: auth })).status, 200);
    assert.equal((await fetch(`${orch.url}/api/v1/tokens`, { headers: auth })).status, 403);
  });

  describe('bad tokens are refused with 401', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const claims = (over: JWTPayload = {}): JWTPayload => ({ iss: provider.issuer, aud: API_AUDIENCE, sub: 'svc-1', client_id: 'svc-1', roles: ['vm-admin'], iat: now(), exp: now() + 600, ...over });
    const sign = (payload: JWTPayload, key = provider.privateKey, kid = provider.kid) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(key);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const status = async (token: string) => (await fetch(`${orch.url}/api/v1/tokens`, { headers: { authorization: `Bearer ${token}` } })).status;

    it('a well-formed token signed by the provider key passes (the baseline the others differ from)', async () => {
      assert.equal(await status(await sign(claims())), 200);
    });
    it('expired', async () => { assert.equal(await status(await sign(claims({ iat: now() - 7200, exp: now() - 3600 }))), 401); });
    it('not yet valid (nbf in the future)', async () => { assert.equal(await status(await sign(claims({ nbf: now() + 3600 }))), 401); });
    it('wrong issuer', async () => { assert.equal(await status(await sign(claims({ iss: 'http://127.0.0.1:1/other' }))), 401); });
    it('wrong audience', async () => { assert.equal(await status(await sign(claims({ aud: 'api://someone-else' }))), 401); });
    it('alg: none', async () => {
      assert.equal(await status(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`), 401);
    });
    it('HS256 signed with the provider\'s public key as the secret', async () => {
      const pem = await exportSPKI((await import('node:crypto')).createPublicKey({ key: provider.publicJwk as never, format: 'jwk' }) as never);
      for (const secret of [pem, JSON.stringify(provider.publicJwk)]) {
        const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: provider.kid })}.${b64(claims())}`;
        const mac = createHmac('sha256', secret).update(input).digest('base64url');
        assert.equal(await status(`${input}.${mac}`), 401);
      }
    });
    it('signed by an unknown key', async () => {
      const other = await generateKeyPair('RS256');
      assert.equal(await status(await sign(claims(), other.privateKey, 'unknown-kid')), 401);
      assert.equal(await status(await sign(claims(), other.privateKey, provider.kid)), 401);
    });
    it('tampered payload', async () => {
      const [h, , s] = (await sign(claims({ roles: ['vm-reader'] }))).split('.');
      assert.equal(await status(`${h}.${b64(claims({ roles: ['vm-admin'] }))}.${s}`), 401);
    });
    it('an ID token used as an access token', async () => {
      assert.equal(await status(await sign(claims({ aud: API_AUDIENCE, nonce: 'n-1' }))), 401);
    });
  });

  it('ignores a session cookie made with another secret', async () => {
    const other = await startApp({ ...env, SESSION_SECRET: randomBytes(32).toString('base64') });
    try {
      const session = other.app.createSecureSession({ user: { sub: 'mallory', name: 'Mallory', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 3600, csrf: 'x' } });
      const cookie = `${SESSION_COOKIE}=${encodeURIComponent(other.app.encodeSecureSession(session))}`;
      // The same cookie is accepted by the app whose key made it…
      assert.equal((await fetch(`${other.url}/api/v1/tokens`, { headers: { cookie } })).status, 200);
      // …and ignored by ours.
      assert.equal((await fetch(`${orch.url}/api/v1/tokens`, { headers: { cookie } })).status, 401);
      assert.equal(((await (await fetch(`${orch.url}/auth/me`, { headers: { cookie } })).json()) as { authenticated: boolean }).authenticated, false);
    } finally {
      await other.stop();
    }
  });
});
