import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../server/src/config/load.ts';
import { renderEnvExample, renderReadmeTable, README_BEGIN, README_END } from '../../server/src/config/docs.ts';
import { CONFIG_VARIABLE_NAMES } from '../../server/src/config/variables.ts';

const realHosts = {
  HYPERV_HOSTS: 'hv1.corp.example, hv2.corp.example',
  OIDC_ISSUER_URL: 'https://login.example/tenant/v2.0',
  OIDC_CLIENT_ID: 'client',
  SESSION_SECRET: 'x'.repeat(40),
  SECRETS_KEY: 'y'.repeat(40),
};

describe('configuration', () => {
  it('defaults to the embedded laboratory with sign-in off and says so', () => {
    const { config, report } = loadConfig({});
    assert.equal(config.laboratory, true);
    assert.equal(config.auth.oidcEnabled, false);
    assert.equal(config.server.port, 8000);
    assert.equal(config.database.url, 'sqlite:./data/aetherv.db');
    assert.equal(config.remoting.winrm.auth, 'kerberos');
    assert.equal(config.limits.hostConcurrency, 4);
    assert.deepEqual(report.errors, []);
    assert.ok(report.warnings.some((w) => w.variable === 'OIDC_ENABLED'));
    assert.ok(report.warnings.some((w) => w.variable === 'SESSION_SECRET'));
  });

  it('names each bad variable, what was wrong and what to do, and keeps going', () => {
    const { config, report } = loadConfig({ PORT: '80x', HOST_TRANSPORT: 'telnet', DEBUG: 'maybe', REMOTE_CONCURRENCY: '0' });
    const byName = new Map(report.errors.map((e) => [e.variable, e]));
    assert.match(byName.get('PORT')!.hint, /whole number from 0 to 65535/);
    assert.match(byName.get('PORT')!.message, /"80x"/);
    assert.match(byName.get('HOST_TRANSPORT')!.hint, /one of winrm, ssh/);
    assert.match(byName.get('DEBUG')!.hint, /true or false/);
    assert.ok(byName.has('REMOTE_CONCURRENCY'));
    // Invalid values fall back to defaults so the API can still start and explain.
    assert.equal(config.server.port, 8000);
    assert.equal(config.remoting.transport, 'winrm');
  });

  it('never shows a secret value in a problem', () => {
    const { report } = loadConfig({ ...realHosts, SESSION_SECRET: 'short-secret-value' });
    const text = JSON.stringify(report);
    assert.ok(report.errors.some((e) => e.variable === 'SESSION_SECRET' && /too short/.test(e.message)));
    assert.ok(!text.includes('short-secret-value'));
  });

  it('requires OIDC and keys in front of real hosts, and refuses disabled sign-in unless explicitly allowed', () => {
    assert.deepEqual(loadConfig({ ...realHosts, WINRM_TRANSPORT: 'kerberos' }).report.errors, []);
    const noAuth = loadConfig({ HYPERV_HOSTS: 'hv1', OIDC_ENABLED: 'false' }).report.errors.map((e) => e.variable);
    assert.ok(noAuth.includes('OIDC_ENABLED'));
    assert.ok(noAuth.includes('SESSION_SECRET'));
    assert.ok(noAuth.includes('SECRETS_KEY'));
    const allowed = loadConfig({ ...realHosts, OIDC_ENABLED: 'false', ALLOW_INSECURE_LAB_AUTH: 'true' });
    assert.ok(!allowed.report.errors.some((e) => e.variable === 'OIDC_ENABLED'));
    assert.ok(allowed.report.warnings.some((w) => w.variable === 'OIDC_ENABLED'));
    const missingIssuer = loadConfig({ HYPERV_HOSTS: 'hv1', SESSION_SECRET: 'x'.repeat(40), SECRETS_KEY: 'y'.repeat(40) }).report.errors.map((e) => e.variable);
    assert.deepEqual(missingIssuer.sort(), ['OIDC_CLIENT_ID', 'OIDC_ISSUER_URL']);
  });

  it('checks remoting combinations that cannot work', () => {
    const kerberosHttp = loadConfig({ ...realHosts, WINRM_PORT: '5985' }).report.errors;
    assert.ok(kerberosHttp.some((e) => e.variable === 'WINRM_PORT' && /message encryption/.test(e.message)));
    const basicHttp = loadConfig({ ...realHosts, WINRM_PORT: '5985', WINRM_TRANSPORT: 'basic', WINRM_USERNAME: 'u', WINRM_PASSWORD: 'p' }).report.errors;
    assert.ok(basicHttp.some((e) => e.variable === 'WINRM_ALLOW_UNENCRYPTED'));
    const basicHttpAllowed = loadConfig({ ...realHosts, WINRM_PORT: '5985', WINRM_TRANSPORT: 'basic', WINRM_USERNAME: 'u', WINRM_PASSWORD: 'p', WINRM_ALLOW_UNENCRYPTED: 'true' });
    assert.deepEqual(basicHttpAllowed.report.errors, []);
    assert.equal(basicHttpAllowed.config.remoting.winrm.useTls, false);
    const ssh = loadConfig({ ...realHosts, HOST_TRANSPORT: 'ssh' }).report.errors.map((e) => e.variable).sort();
    assert.deepEqual(ssh, ['SSH_KNOWN_HOSTS', 'SSH_PASSWORD', 'SSH_USERNAME']);
  });

  it('parses lists and role claims', () => {
    const { config } = loadConfig({ ...realHosts, OIDC_ADMIN_ROLES: 'vm-admin, Global Admins ,', HOST_CONCURRENCY: '8' });
    assert.deepEqual(config.hosts, ['hv1.corp.example', 'hv2.corp.example']);
    assert.deepEqual(config.auth.roleClaims.admin, ['vm-admin', 'Global Admins']);
    assert.equal(config.limits.hostConcurrency, 8);
  });

  it('keeps .env.example and the README table in agreement with the schema', () => {
    assert.equal(readFileSync('.env.example', 'utf8'), renderEnvExample(), '.env.example is stale: run npm run config:docs');
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(readme.indexOf(README_BEGIN), readme.indexOf(README_END) + README_END.length);
    assert.equal(table, renderReadmeTable(), 'README configuration table is stale: run npm run config:docs');
    for (const name of CONFIG_VARIABLE_NAMES) {
      assert.ok(readme.includes(`\`${name}\``), `README lacks ${name}`);
      assert.ok(readFileSync('.env.example', 'utf8').includes(`#${name}=`), `.env.example lacks ${name}`);
    }
  });

  it('covers every variable DESIGN §10 names', () => {
    const design = ['PORT', 'HOST', 'DEBUG', 'OIDC_ENABLED', 'OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI', 'OIDC_API_AUDIENCE', 'OIDC_READER_ROLES', 'OIDC_WRITER_ROLES', 'OIDC_ADMIN_ROLES', 'API_TOKEN', 'SESSION_SECRET', 'SECRETS_KEY', 'DATABASE_URL', 'HYPERV_HOSTS', 'HOST_TRANSPORT', 'WINRM_TRANSPORT', 'WINRM_PORT', 'WINRM_USERNAME', 'WINRM_PASSWORD', 'WINRM_CA_FILE', 'WINRM_ALLOW_UNENCRYPTED', 'SSH_PORT', 'SSH_USERNAME', 'SSH_PASSWORD', 'SSH_PRIVATE_KEY_FILE', 'SSH_KNOWN_HOSTS', 'INVENTORY_REFRESH_INTERVAL', 'REMOTE_CONCURRENCY', 'HOST_CONCURRENCY', 'HOST_INSTALL_DIRECTORY', 'ARTIFACTS_BASE_PATH', 'AGENT_DOWNLOAD_BASE_URL'];
    for (const name of design) assert.ok((CONFIG_VARIABLE_NAMES as string[]).includes(name), name);
  });
});
