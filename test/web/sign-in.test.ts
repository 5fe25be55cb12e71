/**
 * Signing in through the web UI in Chromium against a real OpenID provider (oidc-provider on
 * loopback): the Sign in button, the provider's login and consent pages, the user's name and role
 * in the page, a cookie-authenticated write carrying the CSRF token, and signing out.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { API_AUDIENCE, WEB_CLIENT, freePort, startApp, startProvider, type TestApp, type TestProvider } from '../auth/support.ts';
import { CHROMIUM, launchBrowser, type TestBrowser } from './browser.ts';

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

describe('web UI sign-in in Chromium', { skip, timeout: 60_000 }, () => {
  let provider: TestProvider;
  let orch: TestApp;
  let browser: TestBrowser;

  before(async () => {
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/auth/callback`;
    provider = await startProvider(redirectUri);
    orch = await startApp({
      OIDC_ENABLED: 'true', OIDC_ISSUER_URL: provider.issuer, OIDC_CLIENT_ID: WEB_CLIENT.id, OIDC_CLIENT_SECRET: WEB_CLIENT.secret,
      OIDC_REDIRECT_URI: redirectUri, OIDC_API_AUDIENCE: API_AUDIENCE, SESSION_SECRET: randomBytes(32).toString('base64'),
    }, { port });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await orch?.stop();
    await provider?.stop();
  });

  it('signs in, writes with the CSRF token, and signs out', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${orch.url}/`);
    await page.locator('main a', { hasText: 'Sign in' }).click();
    // The provider's own pages (oidc-provider's development login and consent forms).
    await page.waitForURL((url) => url.href.startsWith(provider.issuer));
    const loginPage = page.url();
    await page.fill('input[name="login"]', 'alice');
    await page.fill('input[name="password"]', 'any');
    await page.click('button[type="submit"]');
    await page.waitForURL((url) => url.href !== loginPage);
    if (page.url().startsWith(provider.issuer)) await page.click('button[type="submit"]'); // consent
    await page.waitForURL((url) => url.href.startsWith(orch.url));
    // The provider's preferred_username is the name shown.
    await page.locator('#user', { hasText: 'alice@example.test' }).waitFor();
    assert.match(await page.locator('#user').innerText(), /writer/);
    assert.equal(await page.locator('.banner.warning').count(), 0, 'no sign-in-disabled banner when sign-in is on');

    // A write made with the session cookie: the page sends X-CSRF-Token and the server accepts it.
    await page.goto(`${orch.url}/#/notifications`);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/notifications/read-all')),
      page.locator('button', { hasText: 'Mark all read' }).click(),
    ]);
    assert.equal(response.status(), 200);
    assert.ok(response.request().headers()['x-csrf-token'], 'the write carried the CSRF token');
    // Without the token the same write is refused (so the header above is what made it pass).
    const refused = await page.evaluate(async () => (await fetch('/api/v1/notifications/read-all', { method: 'POST' })).status);
    assert.equal(refused, 403);

    const [logout] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/auth/logout')),
      page.locator('#user button', { hasText: 'Sign out' }).click(),
    ]);
    assert.equal(logout.status(), 200);
    assert.ok(logout.request().headers()['x-csrf-token'], 'sign-out carried the CSRF token');
    // The page follows redirectUrl: the provider's end-session page (when it has one), then back here.
    await page.waitForURL((url) => url.href.startsWith(provider.issuer) || url.href === `${orch.url}/`);
    if (page.url().startsWith(provider.issuer)) {
      await page.click('button[name="logout"][value="yes"]');
      await page.waitForURL((url) => url.href.startsWith(orch.url));
    }
    await page.locator('main a', { hasText: 'Sign in' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/auth/me')).json() as Promise<{ authenticated: boolean }>);
    assert.equal(me.authenticated, false);
  });
});
