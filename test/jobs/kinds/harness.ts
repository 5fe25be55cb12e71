/**
 * Job kinds against a real simulator: the real agent client over WinRM/HTTPS on loopback, the
 * real inventory and deployment services, and the real job engine (server/src/jobs/engine.ts)
 * on a throwaway SQLite store with every VM job kind registered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../simulator/src/index.ts';
import { testArtifacts, simulatorTarget } from '../../support/orchestrator.ts';
import { loadConfig } from '../../../server/src/config/load.ts';
import { createServices, type Services } from '../../../server/src/services.ts';
import { isAppError } from '../../../server/src/errors.ts';
import { AgentClient } from '../../../server/src/agent/client.ts';
import { JobEngine } from '../../../server/src/jobs/engine.ts';
import type { JobView } from '../../../server/src/jobs/types.ts';
import type { JobServices, JobSettings } from '../../../server/src/jobs/kind.ts';
import { allKinds } from '../../../server/src/jobs/kinds/index.ts';
import { openStore, type Store } from '../../../server/src/store/store.ts';

/** This checkout's artifacts, built once per test process (test/support/orchestrator.ts). */
export const artifacts = testArtifacts;

export interface Harness {
  sim: Simulator;
  services: Services;
  jobServices: JobServices;
  engine: JobEngine;
  store: Store;
  /** A second engine on the same store: "the orchestrator restarted". Replaces `engine`. */
  restartEngine(): Promise<JobEngine>;
  stop(): Promise<void>;
}

export const FAST_SETTINGS: JobSettings = { stepDeadlineSeconds: 120, guestKeyTimeoutSeconds: 60, guestApplyTimeoutSeconds: 90, kvpPollSeconds: 0.05 };

export async function startHarness(options: SimulatorOptions & { settings?: Partial<JobSettings>; env?: NodeJS.ProcessEnv; retries?: number; hostSlots?: Record<string, number> } = {}): Promise<Harness> {
  const dir = await artifacts();
  const { settings, env, retries, hostSlots, ...simOptions } = options;
  const sim = await startSimulator({ ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 }, timeScale: 0.01, hosts: 1, vmsPerHost: 1, preinstallAgentFrom: dir, ...simOptions });
  const { config } = loadConfig({ ARTIFACTS_BASE_PATH: dir, INVENTORY_REFRESH_INTERVAL: '3600', ...env });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const services = createServices(config, simulatorTarget(sim), () => undefined, logger, () => 'http://127.0.0.1:9/agent');
  await services.inventory.refreshAll();
  const version = (await import('node:fs')).readFileSync(join(dir, 'version'), 'utf8').trim();
  const jobServices: JobServices = {
    agent: services.agent, inventory: services.inventory, deployment: services.deployment, version,
    settings: { ...FAST_SETTINGS, ...settings },
  };
  // A fast-failing agent for the jobs: a host error ends the job in ms, not after back-off.
  jobServices.agent = new AgentClient({ transports: services.pool, installDirectory: config.agent.installDirectory, retry: { retries: 1, minTimeoutMs: 20, maxTimeoutMs: 50 }, ...(retries !== undefined ? { retry: { retries, minTimeoutMs: 20, maxTimeoutMs: 50 } } : {}) });
  const dbDir = mkdtempSync(join(tmpdir(), 'aetherv-kinds-db-'));
  const store = await openStore(`sqlite:${join(dbDir, 'jobs.db')}`);
  const newEngine = () => {
    const e = new JobEngine({ storeOf: () => store, bus: services.bus, services: jobServices, logger, secretsKey: 'k'.repeat(40), pollSeconds: 0.2, ...(hostSlots ? { hostSlots } : {}) });
    e.registerKinds(allKinds);
    return e;
  };
  const engine = newEngine();
  await engine.start();
  const harness: Harness = {
    sim, services, jobServices, engine, store,
    restartEngine: async () => {
      await harness.engine.stop();
      harness.engine = newEngine();
      return harness.engine;
    },
    stop: async () => {
      await harness.engine.stop();
      await store.close();
      rmSync(dbDir, { recursive: true, force: true });
      await services.stop();
      await sim.stop();
    },
  };
  return harness;
}

/** Submits a job to the real engine and waits for its end. */
export async function runJob(h: Harness, kind: string, params: object, options: { secrets?: object; host?: string; vmId?: string; timeoutMs?: number } = {}): Promise<JobView> {
  const job = await submit(h, kind, params, options);
  return h.engine.waitFor(job.id, options.timeoutMs ?? 60_000);
}

export function submit(h: Harness, kind: string, params: object, options: { secrets?: object; host?: string; vmId?: string } = {}): Promise<JobView> {
  const p = params as { host?: string; vmId?: string };
  return h.engine.submit({
    kind, params: params as Record<string, unknown>, requestedBy: 'test', correlationId: randomUUID(),
    ...(options.secrets ? { secrets: options.secrets as Record<string, unknown> } : {}),
    ...((options.host ?? p.host) ? { host: (options.host ?? p.host)! } : {}),
    ...((options.vmId ?? p.vmId) ? { vmId: (options.vmId ?? p.vmId)! } : {}),
  });
}

/** Why a job ended as it did, for assertion messages. */
export function explain(job: JobView): string {
  return `${job.state} ${job.error ? `${job.error.code}: ${job.error.message}` : ''}\n${job.steps.map((s) => `${s.name}: ${s.state}${s.error ? ` (${s.error.message})` : ''}`).join('\n')}`;
}

export async function control(sim: Simulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.controlUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export interface ModelVm {
  vmId: string; name: string; state: string; notes: string; clustered: boolean; isoPath: string | null;
  disks: Array<{ path: string; type: string; parentPath: string | null }>;
  nics: Array<{ name: string; switchName: string | null; vlanId: number | null; macAddress: string; dynamicMac: boolean; ipAddresses: string[] }>;
  memory: { startupBytes: number; dynamic: boolean; minimumBytes: number; maximumBytes: number };
  cpuCount: number;
  kvp: { host: Record<string, string>; guest: Record<string, string> };
  guestHostname: string | null;
  secureBootTemplate: string;
}

export async function modelVms(sim: Simulator, host: string): Promise<ModelVm[]> {
  return ((await control(sim, 'GET', `/hosts/${host}/model`)) as { vms: ModelVm[] }).vms;
}

export interface OpEntry { seq: number; host: string; operation: string; params: Record<string, unknown>; time: string; outcome: string; errorCode?: string }

export async function oplog(sim: Simulator, since = 0): Promise<OpEntry[]> {
  return (await control(sim, 'GET', `/oplog?since=${since}`)) as OpEntry[];
}

/** Every file path on a host's volumes (local and, for cluster nodes, shared). */
export function filesOn(sim: Simulator, host: string): string[] {
  const state = (sim.fleet.host(host) as unknown as { state: { local: { files: Map<string, { path: string }> }; cluster: { shared: { files: Map<string, { path: string }> } } | null } }).state;
  const stores = [state.local, ...(state.cluster ? [state.cluster.shared] : [])];
  return stores.flatMap((s) => [...s.files.values()].map((f) => f.path));
}

export function errorText(error: unknown): string {
  return isAppError(error) ? `${error.code}: ${error.message}` : String(error);
}
