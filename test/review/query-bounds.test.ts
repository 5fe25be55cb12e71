// Review: every string a request can carry has a bound. Over-long query filters and sign-in
// callback fields are refused as 400 problem+json naming the field, before any handler runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOrchestrator, testArtifacts, type TestOrchestrator } from '../support/orchestrator.ts';

describe('bounded query strings', () => {
  let o: TestOrchestrator;
  before(async () => {
    o = await startTestOrchestrator({ simulator: { hosts: 1, clusters: 0, vmsPerHost: 1, addressBase: '127.0.49.1', preinstallAgentFrom: await testArtifacts() } });
  });
  after(async () => o.stop());

  const get = async (path: string) => {
    const res = await fetch(`${o.url}${path}`);
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as { detail?: string; code?: string } };
  };
  const long = 'x'.repeat(5000);

  for (const [path, field] of [
    [`/api/v1/vms?name=${long}`, 'name'], [`/api/v1/vms?host=${long}`, 'host'], [`/api/v1/vms?state=${long}`, 'state'], [`/api/v1/vms?cluster=${long}`, 'cluster'],
    [`/auth/callback?error=${long}`, 'error'], [`/auth/callback?state=${long}`, 'state'], [`/auth/callback?code=${'c'.repeat(5000)}`, 'code'],
  ] as const) {
    it(`${path.slice(0, path.indexOf('=') + 1)}… (5000 characters) is a 400 naming ${field}`, async () => {
      const answer = await get(path);
      assert.equal(answer.status, 400, JSON.stringify(answer.body).slice(0, 300));
      assert.match(answer.type, /^application\/problem\+json/);
      assert.match(answer.body.detail ?? '', new RegExp(field));
      assert.ok(!(answer.body.detail ?? '').includes(long), 'the value is not echoed back');
    });
  }

  it('ordinary filters still answer', async () => {
    const answer = await get('/api/v1/vms?name=vm&state=Running');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  });
});
