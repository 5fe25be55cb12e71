/**
 * The VM write routes through HTTP on a full orchestrator (real app, engine, agent, simulator):
 * the OpenAPI example provisions as-is, Idempotency-Key gives one job, refusals are 4xx problems
 * before any job exists, passwords never come back, hostile strings arrive byte for byte.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOrchestrator, testArtifacts, type TestOrchestrator } from '../../support/orchestrator.ts';
import { modelVms, oplog, type ModelVm } from './harness.ts';

interface Job { id: string; state: string; result: { vmId?: string; ipv4?: string } | null; error: { code: string; message: string } | null; params: Record<string, unknown> }

describe('VM write routes', () => {
  let o: TestOrchestrator;
  const http = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${o.url}${path}`, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, location: res.headers.get('location'), body: (await res.json()) as Record<string, unknown> };
  };
  const finished = async (id: string): Promise<Job> => {
    const end = Date.now() + 60_000;
    for (;;) {
      const job = (await http('GET', `/api/v1/jobs/${id}`)).body as unknown as Job;
      if (['succeeded', 'failed', 'cancelled'].includes(job.state)) return job;
      assert.ok(Date.now() < end, `job ${id} still ${job.state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  let example: Record<string, unknown>;
  let vmId: string;
  const vm = async (): Promise<ModelVm> => (await modelVms(o.sim, 'HV01')).find((v) => v.vmId === vmId)!;

  before(async () => {
    o = await startTestOrchestrator({
      simulator: { hosts: 3, clusters: 1, vmsPerHost: 1, addressBase: '127.0.47.1', preinstallAgentFrom: await testArtifacts() },
      env: { KVP_POLL_SECONDS: '1' },
    });
    await o.services.inventory.refreshAll();
    await o.services.jobs.start();
  });
  after(async () => {
    await o.services.jobs.stop();
    await o.stop();
  });

  it('the OpenAPI document carries a complete example that provisions as-is on HV01', async () => {
    const doc = (await http('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { examples?: unknown[] }; example?: unknown; examples?: Record<string, { value: unknown }> }> } }>> };
    const media = doc.paths['/api/v1/vms']!['post']!.requestBody!.content['application/json']!;
    const found = media.example ?? Object.values(media.examples ?? {})[0]?.value ?? media.schema.examples?.[0];
    assert.ok(found, 'an example request body');
    example = found as Record<string, unknown>;
    assert.equal(example.host, 'HV01');
    const answer = await http('POST', '/api/v1/vms', example);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.location, `/api/v1/jobs/${answer.body.id as string}`);
    const job = await finished(answer.body.id as string);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    vmId = job.result!.vmId!;
    assert.equal(job.result!.ipv4, '10.0.0.25');
    const v = await vm();
    assert.equal(v.state, 'Running');
    assert.equal(v.kvp.guest['aetherv.guest.state'], 'applied');
  });

  it('the same Idempotency-Key twice gives one job; reused for another body it is a conflict', async () => {
    const body = { ...example, name: 'idem-01', guest: undefined, start: false };
    const first = await http('POST', '/api/v1/vms', body, { 'idempotency-key': 'create-idem-01' });
    const second = await http('POST', '/api/v1/vms', body, { 'idempotency-key': 'create-idem-01' });
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.equal(second.body.id, first.body.id);
    await finished(first.body.id as string);
    const other = await http('POST', '/api/v1/vms', { ...body, name: 'idem-02' }, { 'idempotency-key': 'create-idem-01' });
    assert.equal(other.status, 409);
    const created = (await oplog(o.sim)).filter((e) => e.operation === 'vm.create' && e.params.name === 'idem-01');
    assert.equal(created.length, 1, 'one VM created');
  });

  it('refuses bad requests before any job: both targets, Windows NetBIOS name, a taken name', async () => {
    const both = await http('POST', '/api/v1/vms', { ...example, name: 'x-1', cluster: 'CLU01' });
    assert.equal(both.status, 400);
    assert.match(both.body.detail as string, /exactly one of host and cluster/);
    const windows = await http('POST', '/api/v1/vms', { ...example, name: 'win-1', image: 'Windows-Server-2022', guest: { hostname: 'a-very-long-windows-name', localAdmin: { username: 'administrator-of-this', password: 'P@ssw0rd-long-enough' } } });
    assert.equal(windows.status, 400);
    assert.match(windows.body.detail as string, /hostname must be at most 15 characters/);
    assert.match(windows.body.detail as string, /username must be at most 20 characters/);
    assert.ok(!JSON.stringify(windows.body).includes('P@ssw0rd-long-enough'));
    const noNic = await http('POST', '/api/v1/vms', { ...example, name: 'x-2', nics: [] });
    assert.equal(noNic.status, 400);
    assert.match(noNic.body.detail as string, /guest\.network configures the first network adapter/);
    const badGuest = await http('POST', '/api/v1/vms', { ...example, name: 'x-3', guest: { network: { ipv4: { address: '10.0.0.0', prefixLength: 24, gateway: '10.0.1.1' } } } });
    assert.equal(badGuest.status, 400);
    assert.equal(badGuest.body.code, 'GUEST_CONFIG_INVALID');
    assert.match(badGuest.body.detail as string, /network or broadcast address/);
    const taken = await http('POST', '/api/v1/vms', example);
    assert.equal(taken.status, 409);
    assert.equal(taken.body.code, 'VM_NAME_TAKEN');
  });

  it('power and edits are checked against the VM\'s state: 409 names it', async () => {
    const idem = (await modelVms(o.sim, 'HV01')).find((v) => v.name === 'idem-01')!;
    const pause = await http('POST', `/api/v1/vms/${idem.vmId}/pause`);
    assert.equal(pause.status, 409);
    assert.equal(pause.body.detail, 'cannot pause a VM that is Off');
    const cpu = await http('PATCH', `/api/v1/vms/${vmId}`, { cpuCount: 3 });
    assert.equal(cpu.status, 409);
    assert.match(cpu.body.detail as string, /needs the VM Off; it is Running \(shut it down first, or pass stopIfNeeded=true\)/);
    const running = await http('DELETE', `/api/v1/vms/${vmId}`);
    assert.equal(running.status, 409);
    const unknown = await http('POST', '/api/v1/vms/00000000-0000-0000-0000-000000000000/start');
    assert.equal(unknown.status, 404);
  });

  it('passwords go to the job\'s secrets, never to its params; hostile notes arrive byte for byte', async () => {
    const notes = "'; Remove-VM *; '\n$(whoami) `id` \"q\" ü";
    const answer = await http('POST', '/api/v1/vms', { ...example, name: 'sec-01', image: 'Windows-Server-2022', notes, nics: [{ switchName: 'External', macAddress: '00155d0a0b0c' }], guest: { localAdmin: { username: 'ops', password: 'Very$ecret-Passw0rd' } } });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const job = await finished(answer.body.id as string);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.ok(!JSON.stringify(job).includes('Very$ecret-Passw0rd'));
    assert.equal((job.params.guest as { hostname: string }).hostname, 'sec-01', 'the hostname defaults to the VM name');
    const created = (await oplog(o.sim)).find((e) => e.operation === 'vm.create' && e.params.name === 'sec-01')!;
    assert.ok((created.params.notes as string).startsWith(`${notes}\n`));
    const made = (await modelVms(o.sim, 'HV01')).find((v) => v.name === 'sec-01')!;
    assert.equal(made.notes, notes);
    assert.equal(made.nics[0]!.macAddress, '00155D0A0B0C');
    const deleted = await http('DELETE', `/api/v1/vms/${made.vmId}?force=true&deleteDisks=true`);
    assert.equal(deleted.status, 202);
    assert.equal((await finished(deleted.body.id as string)).state, 'succeeded');
    assert.ok(!(await modelVms(o.sim, 'HV01')).some((v) => v.name === 'sec-01'));
  });

  it('initialize configures an existing VM that is Off; its OS family comes from its golden image', async () => {
    const idem = (await modelVms(o.sim, 'HV01')).find((v) => v.name === 'idem-01')!;
    const answer = await http('POST', `/api/v1/vms/${idem.vmId}/initialize`, { guest: { users: [{ name: 'deploy', password: 'Deploy-Passw0rd!' }] } });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const job = await finished(answer.body.id as string);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.equal(job.params.osFamily, 'linux');
    assert.ok(!JSON.stringify(job).includes('Deploy-Passw0rd!'));
    const v = (await modelVms(o.sim, 'HV01')).find((x) => x.vmId === idem.vmId)!;
    assert.equal(v.kvp.guest['aetherv.guest.state'], 'applied');
    assert.equal(v.guestHostname, 'idem-01');
    const again = await http('POST', `/api/v1/vms/${idem.vmId}/initialize`, { guest: {} });
    assert.equal(again.status, 409);
    assert.match(again.body.detail as string, /cannot initialize a VM that is Running/);
  });
});
