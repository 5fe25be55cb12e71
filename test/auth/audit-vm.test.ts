/**
 * The audit trail on a full orchestrator (real app, job engine, agent, simulator): a provision
 * and a delete are recorded with who asked and the job each created, a refused delete too, and
 * the guest's secrets from the provisioning request never reach the audit log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestOrchestrator, testArtifacts, type TestOrchestrator } from '../support/orchestrator.ts';
import type { AuditRecord } from '../../server/src/auth/audit-log.ts';

describe('audit of VM jobs', () => {
  let o: TestOrchestrator;
  const tokens: Record<string, string> = {};
  const http = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${o.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  async function auditRecord(match: (r: AuditRecord) => boolean): Promise<AuditRecord> {
    for (let i = 0; i < 100; i++) {
      const found = ((await http(tokens.admin!, 'GET', '/api/v1/audit?limit=1000')).body.items as AuditRecord[]).find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no such audit record');
  }

  before(async () => {
    o = await startTestOrchestrator({
      simulator: { hosts: 1, clusters: 0, vmsPerHost: 0, addressBase: '127.0.48.1', preinstallAgentFrom: await testArtifacts() },
      env: {
        KVP_POLL_SECONDS: '1', OIDC_ENABLED: 'true', OIDC_ISSUER_URL: 'http://127.0.0.1:9/never-contacted', OIDC_CLIENT_ID: 'aetherv',
        SESSION_SECRET: randomBytes(32).toString('base64'),
      },
    });
    for (const role of ['reader', 'writer', 'admin'] as const) {
      tokens[role] = (await o.services.tokens.create({ name: `ops-${role}`, role, expiresAt: new Date(Date.now() + 3_600_000), createdBy: 'test' })).token;
    }
    await o.services.inventory.refreshAll();
    await o.services.jobs.start();
  });
  after(async () => {
    await o?.services.jobs.stop();
    await o?.stop();
  });

  it('records a provision and a delete with the job each created, and a refused delete', async () => {
    const doc = (await http(tokens.reader!, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { examples?: unknown[] }; example?: unknown; examples?: Record<string, { value: unknown }> }> } }>> };
    const media = doc.paths['/api/v1/vms']!['post']!.requestBody!.content['application/json']!;
    const example = structuredClone((media.example ?? Object.values(media.examples ?? {})[0]?.value ?? media.schema.examples?.[0]) as Record<string, unknown>);
    const host = o.sim.hosts[0]!.name;
    const password = `Pw-${randomBytes(9).toString('base64url')}!1a`;
    const request = { ...example, host, name: 'audited-01', guest: { ...(example.guest as object), hostname: 'audited-01', localAdmin: { username: 'opsadmin', password } } };
    assert.ok(JSON.stringify(request).includes(password), 'the request carries a guest password');

    const provision = await http(tokens.writer!, 'POST', '/api/v1/vms', request);
    assert.equal(provision.status, 202, JSON.stringify(provision.body));
    const jobId = provision.body.id as string;
    const created = await auditRecord((r) => r.route === '/api/v1/vms' && r.method === 'POST');
    assert.equal(created.jobId, jobId);
    assert.equal(created.tokenName, 'ops-writer');
    assert.equal(created.outcome, 'success');

    let job: Record<string, unknown> = {};
    for (const end = Date.now() + 60_000; Date.now() < end;) {
      job = (await http(tokens.reader!, 'GET', `/api/v1/jobs/${jobId}`)).body;
      if (['succeeded', 'failed', 'cancelled'].includes(String(job.state))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const vmId = (job.result as { vmId: string }).vmId;

    assert.equal((await http(tokens.reader!, 'DELETE', `/api/v1/vms/${vmId}`)).status, 403);
    const refused = await auditRecord((r) => r.route === '/api/v1/vms/:id' && r.method === 'DELETE' && r.outcome === 'denied');
    assert.equal(refused.tokenName, 'ops-reader');
    assert.deepEqual(refused.target, { id: vmId });

    const removal = await http(tokens.writer!, 'DELETE', `/api/v1/vms/${vmId}?force=true`);
    assert.equal(removal.status, 202, JSON.stringify(removal.body));
    const deleted = await auditRecord((r) => r.route === '/api/v1/vms/:id' && r.method === 'DELETE' && r.outcome === 'success');
    assert.equal(deleted.jobId, removal.body.id);
    assert.deepEqual(deleted.target, { id: vmId });

    const everything = JSON.stringify((await http(tokens.admin!, 'GET', '/api/v1/audit?limit=1000')).body);
    assert.ok(!everything.includes(password), 'no guest password in the audit log');
    for (const token of Object.values(tokens)) assert.ok(!everything.includes(token.split('.')[1]!), 'no token secret in the audit log');
  });
});
