/**
 * OIDC_ENABLED=false cannot be reached by accident in front of real hosts: the configuration
 * check refuses it (unless ALLOW_INSECURE_LAB_AUTH=true), the server stays up to say why, and
 * until it is fixed nobody is treated as a laboratory administrator.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startServer } from '../../server/src/main.ts';
import { loadConfig } from '../../server/src/config/load.ts';
import { buildApp } from '../../server/src/app.ts';
import { Readiness } from '../../server/src/readiness.ts';

const KEYS = { SESSION_SECRET: 's'.repeat(40), SECRETS_KEY: 'k'.repeat(40) };

describe('sign-in disabled in front of real hosts', () => {
  it('is refused at start-up: /readyz explains, the API admits nobody, host services stay stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aetherv-insecure-'));
    // A built-artifacts stand-in, so start-up does not build them.
    writeFileSync(join(dir, 'manifest.json'), '{}');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
    const server = await startServer({
      PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'a.db')}`, ARTIFACTS_BASE_PATH: dir,
      // A "real" host on loopback: nothing listens, and nothing may try (services stay stopped).
      HYPERV_HOSTS: '127.0.0.1', OIDC_ENABLED: 'false', ...KEYS,
    }, { logger, handleSignals: false });
    try {
      assert.ok(server.report.errors.some((e) => e.variable === 'OIDC_ENABLED'));
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 503);
      const report = await ready.json() as { checks: Record<string, { ready: boolean; detail?: string }> };
      assert.match(report.checks.configuration?.detail ?? '', /OIDC_ENABLED/);
      assert.equal((await fetch(`${server.url}/api/v1/hosts`)).status, 401);
      const me = await (await fetch(`${server.url}/auth/me`)).json() as { authenticated: boolean; laboratoryAdmin: boolean };
      assert.equal(me.authenticated, false);
      assert.equal(me.laboratoryAdmin, false);
      assert.ok(lines.some((l) => l.includes('OIDC_ENABLED') && l.includes('every caller would be an administrator')), 'the start-up log says why');
      assert.ok(lines.some((l) => l.includes('host-touching services stay stopped')));
      assert.equal(server.readiness.report().checks.deployment, undefined, 'no deployment was started');
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is allowed with ALLOW_INSECURE_LAB_AUTH=true, loudly', async () => {
    const { config, report } = loadConfig({ HYPERV_HOSTS: 'hv01.example.test', OIDC_ENABLED: 'false', ALLOW_INSECURE_LAB_AUTH: 'true', ...KEYS });
    assert.equal(report.errors.filter((e) => e.variable === 'OIDC_ENABLED').length, 0);
    assert.ok(report.warnings.some((w) => w.variable === 'OIDC_ENABLED' && /laboratory administrator/.test(w.message)));
    const readiness = new Readiness();
    const app = await buildApp({ config, readiness, logger: pino({ level: 'silent' }) });
    try {
      const me = (await app.inject('/auth/me')).json() as { laboratoryAdmin: boolean; roles: string[] };
      assert.equal(me.laboratoryAdmin, true);
      assert.deepEqual(me.roles, ['admin']);
      assert.equal((await app.inject('/api/v1/about')).statusCode, 200);
      assert.match(readiness.report().checks.authentication?.detail ?? '', /SIGN-IN DISABLED/);
    } finally {
      await app.close();
    }
  });

  it('is the default only for the embedded laboratory without an issuer', () => {
    assert.equal(loadConfig({}).config.auth.oidcEnabled, false);
    assert.equal(loadConfig({ OIDC_ISSUER_URL: 'https://login.example.test/v2.0' }).config.auth.oidcEnabled, true);
    assert.equal(loadConfig({ HYPERV_HOSTS: 'hv01.example.test' }).config.auth.oidcEnabled, true);
  });
});
