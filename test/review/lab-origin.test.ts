// Review: with sign-in disabled every caller is a laboratory admin, so another site's page open
// in the same browser could act too: a body-less POST needs no CORS preflight, and a WebSocket
// none at all. Writes and the event stream from a foreign Origin are refused; same-origin pages
// and non-browser clients (no Origin header) work as before.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startTestOrchestrator, testArtifacts, type TestOrchestrator } from '../support/orchestrator.ts';

describe('laboratory mode and foreign origins', () => {
  let o: TestOrchestrator;
  before(async () => {
    o = await startTestOrchestrator({ simulator: { hosts: 1, clusters: 0, vmsPerHost: 1, addressBase: '127.0.50.1', preinstallAgentFrom: await testArtifacts() } });
  });
  after(async () => o.stop());

  const post = async (path: string, headers: Record<string, string>) => {
    const res = await fetch(`${o.url}${path}`, { method: 'POST', headers });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as { code?: string; detail?: string } };
  };
  const path = '/api/v1/jobs/00000000-0000-4000-8000-000000000000/cancel';

  it('a body-less POST from another origin is a 403 problem; same origin and no Origin reach the route', async () => {
    const foreign = await post(path, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403, JSON.stringify(foreign.body));
    assert.match(foreign.type, /problem\+json/);
    assert.match(foreign.body.detail ?? '', /another origin/);
    for (const headers of [{}, { origin: o.url }] as Record<string, string>[]) {
      const answer = await post(path, headers);
      assert.equal(answer.status, 404, `${JSON.stringify(headers)}: ${JSON.stringify(answer.body)}`);
    }
    // Reads stay open to any page's fetches (CORS keeps their answers from that page anyway).
    assert.equal((await fetch(`${o.url}/api/v1/jobs`, { headers: { origin: 'https://evil.example' } })).status, 200);
  });

  const connect = (origin?: string) => new Promise<{ code?: number; message?: string }>((resolve, reject) => {
    const socket = new WebSocket(`${o.url.replace('http://', 'ws://')}/ws`, { headers: origin ? { origin } : {} });
    const timer = setTimeout(() => { socket.terminate(); reject(new Error('no answer in 5 s')); }, 5000);
    socket.on('message', (data) => { clearTimeout(timer); socket.close(); resolve({ message: String(data) }); });
    socket.on('close', (code) => { clearTimeout(timer); resolve({ code }); });
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
  });

  it('the event stream refuses a foreign page (1008) and welcomes our own and non-browsers', async () => {
    assert.equal((await connect('https://evil.example')).code, 1008);
    assert.match((await connect(o.url)).message ?? '', /welcome/);
    assert.match((await connect()).message ?? '', /welcome/);
  });
});
