/**
 * Test support for sign-in: a real OpenID provider (oidc-provider) on loopback, an orchestrator
 * HTTP app wired to it, and a tiny cookie-carrying HTTP client that follows redirects by hand.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../server/src/config/load.ts';
import { createServices, type Services } from '../../server/src/services.ts';
import { buildApp } from '../../server/src/app.ts';
import { Readiness } from '../../server/src/readiness.ts';
import { openStore, type Store } from '../../server/src/store/store.ts';

export const WEB_CLIENT = { id: 'aetherv-web', secret: 'web-client-secret-5f1d2c9a' };
export const SP_CLIENT = { id: 'automation-sp', secret: 'sp-client-secret-8e0b7a61' };
export const API_AUDIENCE = 'api://aetherv';
/** Accounts of the test provider and the claim values (OIDC_*_ROLES) they carry. */
export const USERS: Record<string, { name: string; roles: string[] }> = {
  alice: { name: 'Alice Writer', roles: ['vm-writer'] },
  root: { name: 'Root Admin', roles: ['api://aetherv/vm-admin'] },
  nobody: { name: 'No Role', roles: [] },
};

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestProvider {
  issuer: string;
  /** The provider's signing key (to mint tokens that differ from valid ones in one way only). */
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
  stop(): Promise<void>;
}

export async function startProvider(redirectUri: string): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'test-key-1';
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: [
      { client_id: WEB_CLIENT.id, client_secret: WEB_CLIENT.secret, redirect_uris: [redirectUri], post_logout_redirect_uris: [new URL('/', redirectUri).href], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' },
      { client_id: SP_CLIENT.id, client_secret: SP_CLIENT.secret, redirect_uris: [], response_types: [], grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-provider-cookie-key'] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'roles'] },
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, name: USERS[id]?.name ?? id, preferred_username: `${id}@example.test`, roles: USERS[id]?.roles ?? [] }),
    }),
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api', audience: API_AUDIENCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    // The service principal's app role (Entra puts app roles of applications in `roles`).
    extraTokenClaims: async (_ctx: unknown, token: unknown) => ((token as { kind?: string }).kind === 'ClientCredentials' ? { roles: ['vm-writer'] } : undefined),
    pkce: { required: () => true },
  });
  provider.on('server_error', () => undefined);
  server.on('request', provider.callback());
  return {
    issuer, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256' }, kid,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export interface TestApp {
  app: FastifyInstance;
  url: string;
  store: Store;
  services: Services;
  stop(): Promise<void>;
}

/** The orchestrator's HTTP app with real services (no hosts) and a temporary SQLite store. */
export async function startApp(env: NodeJS.ProcessEnv, options: { port?: number; beforeReady?: (app: FastifyInstance) => void } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-auth-'));
  const { config } = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'a.db')}`, INVENTORY_REFRESH_INTERVAL: '3600', ARTIFACTS_BASE_PATH: dir, ...env });
  const store = await openStore(config.database.url);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const services = createServices(config, { hosts: [], remoting: config.remoting }, () => store, logger, () => 'http://127.0.0.1/agent');
  const app = await buildApp({ config, readiness: new Readiness(), logger, services });
  options.beforeReady?.(app);
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return {
    app, url, store, services,
    stop: async () => {
      await services.stop();
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A cookie jar per origin (enough for these tests: no path or expiry rules beyond deletion). */
export class Browser {
  readonly jars = new Map<string, Map<string, string>>();

  cookies(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new Map()));
    return jar;
  }

  async request(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const origin = new URL(url).origin;
    const jar = this.cookies(origin);
    const headers: Record<string, string> = { ...init.headers };
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { method: init.method ?? 'GET', body: init.body, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /**
   * Follows redirects from `start`, submitting the provider's login and consent forms, until a
   * response is not a redirect to the provider. Returns the last response and the URL it came from.
   */
  async signIn(start: string, login: string, stopAt: string): Promise<{ res: Response; url: string }> {
    let url = start;
    for (let step = 0; step < 20; step++) {
      const res = await this.request(url);
      if (res.status >= 300 && res.status < 400) {
        const next = new URL(res.headers.get('location') ?? '', url).href;
        if (next.startsWith(stopAt)) return this.finish(next);
        url = next;
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
      if (res.status !== 200 || !action || !prompt) return { res: new Response(html, { status: res.status }), url };
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt }).toString();
      const posted = await this.request(new URL(action, url).href, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      if (posted.status < 300 || posted.status >= 400) throw new Error(`provider form answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
      url = new URL(posted.headers.get('location') ?? '', url).href;
    }
    throw new Error('sign-in did not finish in 20 steps');
  }

  private async finish(url: string): Promise<{ res: Response; url: string }> {
    return { res: await this.request(url), url };
  }
}
