/** Named API tokens and audit records in both store dialects (SQLite, and PostgreSQL for several replicas). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../server/src/store/store.ts';
import { ApiTokenStore } from '../../server/src/auth/api-tokens.ts';
import { AuditLog } from '../../server/src/auth/audit-log.ts';
import { createTestDatabase, postgresSkip } from '../support/postgres.ts';

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`auth tables on ${dialect}`, { skip: dialect === 'postgres' ? postgresSkip : false }, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      if (dialect === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'aetherv-auth-store-'));
        store = await openStore(`sqlite:${join(dir, 'a.db')}`);
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const db = await createTestDatabase();
        store = await openStore(db.url);
        cleanup = db.drop;
      }
    });
    after(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('creates, authenticates, lists and revokes named tokens', async () => {
      const tokens = new ApiTokenStore(() => store);
      const created = await tokens.create({ name: 'ci', role: 'writer', expiresAt: new Date(Date.now() + 60_000), createdBy: 'alice' });
      const principal = await tokens.authenticate(created.token);
      assert.deepEqual(principal && { roles: principal.roles, tokenName: principal.tokenName, via: principal.via }, { roles: ['writer'], tokenName: 'ci', via: 'named-token' });
      assert.equal(await tokens.authenticate(created.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), null);
      assert.equal(await tokens.authenticate('avt_not-even-the-format'), null);
      const [listed] = await tokens.list();
      assert.equal(listed?.name, 'ci');
      assert.ok(listed?.lastUsedAt, 'last use recorded');
      await assert.rejects(tokens.create({ name: 'ci', role: 'reader', expiresAt: new Date(Date.now() + 60_000), createdBy: 'alice' }), { code: 'CONFLICT' });
      assert.equal(await tokens.revoke(created.id), true);
      assert.equal(await tokens.revoke(created.id), false);
      assert.equal(await tokens.authenticate(created.token), null);
    });

    it('records audit entries and filters them', async () => {
      const audit = new AuditLog(() => store);
      await audit.record({ subject: 'alice', name: 'Alice', method: 'POST', route: '/api/v1/vms', target: {}, ip: '10.0.0.1', status: 202, outcome: 'success', jobId: 'job-1' });
      await audit.record({ subject: 'bob', name: 'Bob', method: 'DELETE', route: '/api/v1/vms/:id', target: { id: 'vm-9' }, ip: '10.0.0.2', status: 403, outcome: 'denied', detail: 'needs the writer role' });
      await audit.record({ method: 'GET', route: '/api/v1/hosts', status: 401, outcome: 'unauthenticated' });
      const all = await audit.query({ limit: 10, offset: 0 });
      assert.equal(all.total, 3);
      assert.equal(all.items[0]?.route, '/api/v1/hosts', 'newest first');
      const denied = await audit.query({ outcome: 'denied', limit: 10, offset: 0 });
      assert.deepEqual(denied.items.map((r) => [r.subject, r.target]), [['bob', { id: 'vm-9' }]]);
      assert.equal((await audit.query({ subject: 'alice', route: '/api/v1/vms', limit: 10, offset: 0 })).items[0]?.jobId, 'job-1');
      assert.equal((await audit.query({ since: new Date(Date.now() + 60_000).toISOString(), limit: 10, offset: 0 })).total, 0);
      const page = await audit.query({ limit: 1, offset: 1 });
      assert.equal(page.items.length, 1);
      assert.equal(page.total, 3);
    });
  });
}

suite('sqlite');
suite('postgres');
