/**
 * Review: a provisioning request through HTTP with marker passwords (local admin and an extra
 * user), then every place a secret must never reach is scanned for the markers: each row of
 * every table in the store, the job API's answers (view, steps, events, list), the audit API,
 * every bus event, and every log line written at debug level with the production logger options
 * (redaction included). The WinRM password the orchestrator uses is scanned for too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { startSimulator, type Simulator } from '../../simulator/src/index.ts';
import { loadConfig } from '../../server/src/config/load.ts';
import { createServices, agentDownloadUrl, type Services } from '../../server/src/services.ts';
import { buildApp } from '../../server/src/app.ts';
import { Readiness } from '../../server/src/readiness.ts';
import { loggerOptions } from '../../server/src/logging.ts';
import { openStore, type Store } from '../../server/src/store/store.ts';
import { simulatorTarget, testArtifacts } from '../support/orchestrator.ts';

const ADMIN_MARKER = 'Adm1n-MARKER-q7Zp!x';
const USER_MARKER = 'Us3r-MARKER-k2Wv#y';

describe('secrets never leave the job secrets', () => {
  let sim: Simulator;
  let services: Services;
  let app: FastifyInstance;
  let store: Store;
  let url = '';
  let dir = '';
  const lines: string[] = [];
  const events: unknown[] = [];

  before(async () => {
    const artifacts = await testArtifacts();
    sim = await startSimulator({ ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 }, timeScale: 0.01, hosts: 1, clusters: 0, vmsPerHost: 0, addressBase: '127.0.48.1', preinstallAgentFrom: artifacts });
    dir = mkdtempSync(join(tmpdir(), 'aetherv-review-'));
    const { config } = loadConfig({ ARTIFACTS_BASE_PATH: artifacts, DATABASE_URL: `sqlite:${join(dir, 'a.db')}`, INVENTORY_REFRESH_INTERVAL: '3600', KVP_POLL_SECONDS: '1' });
    store = await openStore(config.database.url);
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
    const logger = pino(loggerOptions('trace'), sink);
    services = createServices(config, simulatorTarget(sim), () => store, logger, () => agentDownloadUrl(undefined, url));
    services.bus.subscribe((event) => events.push(event));
    app = await buildApp({ config, readiness: new Readiness(), logger, services });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    await services.inventory.refreshAll();
    await services.jobs.start();
  });
  after(async () => {
    await services.jobs.stop();
    await services.stop();
    await app.close();
    await store.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const http = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    return { status: res.status, text: await res.text() };
  };

  it('provisions with marker passwords; no table, API answer, event or log line carries them', async () => {
    const host = sim.hosts[0]!.name;
    const request = {
      name: 'leak-01', host, image: 'Ubuntu-24.04', cpuCount: 1, memory: { startupMiB: 1024 }, nics: [{ switchName: 'External' }],
      guest: { hostname: 'leak-01', localAdmin: { username: 'opsadmin', password: ADMIN_MARKER }, users: [{ name: 'deploy', password: USER_MARKER }] },
    };
    const answer = await http('POST', '/api/v1/vms', request);
    assert.equal(answer.status, 202, answer.text);
    const id = (JSON.parse(answer.text) as { id: string }).id;
    const end = Date.now() + 60_000;
    let job: { state: string; error: unknown } = { state: 'queued', error: null };
    while (!['succeeded', 'failed', 'cancelled'].includes(job.state)) {
      assert.ok(Date.now() < end, `job still ${job.state}`);
      await new Promise((r) => setTimeout(r, 100));
      job = JSON.parse((await http('GET', `/api/v1/jobs/${id}`)).text) as typeof job;
    }
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));

    // Something that fails with the marker in hand: a second VM of the same name.
    const refused = await http('POST', '/api/v1/vms', { ...request, guest: { ...request.guest, localAdmin: { username: 'opsadmin', password: `${ADMIN_MARKER}-again` } } });
    assert.ok(refused.status >= 400, refused.text);

    const answers: string[] = [answer.text, refused.text];
    for (const path of [`/api/v1/jobs/${id}`, `/api/v1/jobs/${id}/events`, '/api/v1/jobs', '/api/v1/audit', '/api/v1/notifications', '/api/v1/vms']) {
      const got = await http('GET', path);
      assert.equal(got.status, 200, `${path}: ${got.text.slice(0, 200)}`);
      answers.push(got.text);
    }
    const tables = (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(store.db)).rows.map((r) => r.name);
    assert.ok(tables.includes('jobs'), tables.join(', '));
    const rows: Record<string, unknown[]> = {};
    for (const table of tables) rows[table] = (await sql`select * from ${sql.table(table)}`.execute(store.db)).rows;

    // The secrets are stored somewhere (encrypted): the job says it has them.
    assert.ok(JSON.stringify(rows).length > 0);
    assert.ok(lines.length > 10, 'the logger wrote lines');
    assert.ok(events.length > 0, 'the bus carried events');
    const places: Record<string, string> = {
      'store rows': JSON.stringify(rows, (_k, v: unknown) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v)),
      'API answers': answers.join('\n'),
      'bus events': JSON.stringify(events),
      'log lines': lines.join(''),
    };
    for (const [place, text] of Object.entries(places)) {
      for (const marker of [ADMIN_MARKER, USER_MARKER, 'MARKER', sim.credentials.password]) {
        assert.ok(!text.includes(marker), `${place} carry ${marker}`);
      }
    }
  });
});
