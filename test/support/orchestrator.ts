/**
 * An orchestrator wired to a simulator in the test process: real WinRM over HTTPS on loopback,
 * the real agent client, inventory, deployment, HTTP API and WebSockets. For end-to-end tests
 * of the services (not a fake: every call crosses the simulator's real endpoints).
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/src/index.ts';
import { buildArtifacts } from '../../server/src/artifacts/build.ts';
import { loadConfig } from '../../server/src/config/load.ts';
import { createServices, agentDownloadUrl, type HostTarget, type Services } from '../../server/src/services.ts';
import { buildApp } from '../../server/src/app.ts';
import { Readiness } from '../../server/src/readiness.ts';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings } from '../../server/src/remoting/settings.ts';
import { openStore, type Store } from '../../server/src/store/store.ts';
import { REPOSITORY_ROOT } from '../../server/src/version.ts';

let builtArtifacts: string | undefined;

/** This checkout's artifacts, built once per test process into a temporary folder. */
export async function testArtifacts(): Promise<string> {
  if (builtArtifacts) return builtArtifacts;
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-artifacts-'));
  await buildArtifacts({ root: REPOSITORY_ROOT, outDir: dir });
  builtArtifacts = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the artifacts that claims another version: a host "running an old agent". */
export async function artifactsWithVersion(version: string): Promise<string> {
  const source = await testArtifacts();
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-old-artifacts-'));
  cpSync(source, dir, { recursive: true });
  writeFileSync(join(dir, 'version'), `${version}\n`);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { version: string };
  manifest.version = version;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** How the orchestrator reaches a simulator's hosts: WinRM over HTTPS, Basic, its CA, per-host ports. */
export function simulatorTarget(sim: Simulator): HostTarget {
  const base: RemotingSettings = {
    transport: 'winrm',
    connectTimeoutMs: 5_000,
    winrm: { ...DEFAULT_WINRM, auth: 'basic', useTls: true, port: 5986, username: sim.credentials.username, password: sim.credentials.password, caFile: sim.credentials.caFile, delegate: false },
    ssh: { ...DEFAULT_SSH },
  };
  const rowOf = (host: string) => sim.hosts.find((h) => h.name === host);
  return {
    hosts: sim.hosts.map((h) => h.name),
    remoting: base,
    resolveAddress: (host) => rowOf(host)?.address,
    settingsFor: (host) => ({ ...base, winrm: { ...base.winrm, port: rowOf(host)?.winrmHttpsPort ?? 5986 } }),
  };
}

export interface TestOrchestrator {
  sim: Simulator;
  services: Services;
  app: FastifyInstance;
  url: string;
  store: Store;
  stop(): Promise<void>;
}

export async function startTestOrchestrator(options: { simulator: SimulatorOptions; env?: NodeJS.ProcessEnv }): Promise<TestOrchestrator> {
  const artifacts = await testArtifacts();
  const sim = await startSimulator({ ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 }, timeScale: 0.01, ...options.simulator });
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-orch-'));
  const { config } = loadConfig({ ARTIFACTS_BASE_PATH: artifacts, DATABASE_URL: `sqlite:${join(dir, 'a.db')}`, INVENTORY_REFRESH_INTERVAL: '3600', ...options.env });
  const store = await openStore(config.database.url);
  let url = '';
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const services = createServices(config, simulatorTarget(sim), () => store, logger, () => agentDownloadUrl(undefined, url));
  const app = await buildApp({ config, readiness: new Readiness(), logger, services });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return {
    sim, services, app, url, store,
    stop: async () => {
      await services.stop();
      await app.close();
      await store.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Simulator control API helpers. */
export async function control(sim: Simulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.controlUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
