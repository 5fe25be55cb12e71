/**
 * Job kinds against a real simulator: the real agent client over WinRM/HTTPS on loopback, the
 * real inventory and deployment services, and a small step runner that honours the JobKind
 * contract (ordered steps, `when`, outputs, rollbacks newest first on failure or cancel,
 * per-host slots, abortable sleeps). The durable engine (server/src/jobs/engine.ts) is tested
 * on its own; this runner only drives the kinds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import pLimit from 'p-limit';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../simulator/src/index.ts';
import { buildArtifacts } from '../../../server/src/artifacts/build.ts';
import { loadConfig } from '../../../server/src/config/load.ts';
import { createServices, type Services } from '../../../server/src/services.ts';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings } from '../../../server/src/remoting/settings.ts';
import { REPOSITORY_ROOT } from '../../../server/src/version.ts';
import { AppError, isAppError } from '../../../server/src/errors.ts';
import type { JobKind, JobServices, JobSettings, StepContext } from '../../../server/src/jobs/kind.ts';

let artifactsDir: string | undefined;

export async function artifacts(): Promise<string> {
  if (artifactsDir) return artifactsDir;
  const dir = mkdtempSync(join(tmpdir(), 'aetherv-kinds-artifacts-'));
  const built = await buildArtifacts({ root: REPOSITORY_ROOT, outDir: dir });
  artifactsDir = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  void built;
  return dir;
}

export interface Harness {
  sim: Simulator;
  services: Services;
  jobServices: JobServices;
  stop(): Promise<void>;
}

export const FAST_SETTINGS: JobSettings = { stepDeadlineSeconds: 120, guestKeyTimeoutSeconds: 60, guestApplyTimeoutSeconds: 90, kvpPollSeconds: 0.05 };

export async function startHarness(options: SimulatorOptions & { settings?: Partial<JobSettings>; env?: NodeJS.ProcessEnv } = {}): Promise<Harness> {
  const dir = await artifacts();
  const { settings, env, ...simOptions } = options;
  const sim = await startSimulator({ ports: { winrm: 0, winrmHttps: 0, ssh: 0, control: 0 }, timeScale: 0.01, hosts: 1, vmsPerHost: 1, preinstallAgentFrom: dir, ...simOptions });
  const { config } = loadConfig({ ARTIFACTS_BASE_PATH: dir, INVENTORY_REFRESH_INTERVAL: '3600', ...env });
  const base: RemotingSettings = {
    transport: 'winrm',
    connectTimeoutMs: 5_000,
    winrm: { ...DEFAULT_WINRM, auth: 'basic', useTls: true, port: 5986, username: sim.credentials.username, password: sim.credentials.password, caFile: sim.credentials.caFile, delegate: false },
    ssh: { ...DEFAULT_SSH },
  };
  const rowOf = (host: string) => sim.hosts.find((h) => h.name === host);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const services = createServices(config, {
    hosts: sim.hosts.map((h) => h.name),
    remoting: base,
    resolveAddress: (host) => rowOf(host)?.address,
    settingsFor: (host) => ({ ...base, winrm: { ...base.winrm, port: rowOf(host)?.winrmHttpsPort ?? 5986 } }),
  }, () => undefined, logger, () => 'http://127.0.0.1:9/agent');
  await services.inventory.refreshAll();
  const version = (await import('node:fs')).readFileSync(join(dir, 'version'), 'utf8').trim();
  const jobServices: JobServices = {
    agent: services.agent, inventory: services.inventory, deployment: services.deployment, version,
    settings: { ...FAST_SETTINGS, ...settings },
  };
  return {
    sim, services, jobServices,
    stop: async () => {
      await services.stop();
      await sim.stop();
    },
  };
}

export interface RunOutcome {
  state: 'succeeded' | 'failed' | 'cancelled';
  result: unknown;
  error: AppError | Error | null;
  outputs: Record<string, unknown>;
  log: string[];
  rollbacks: string[];
  job: { id: string; host: string | null; vmId: string | null };
}

const slots = new Map<string, ReturnType<typeof pLimit>>();

/** Runs a job of `kind` to its end; `cancel` aborts it (rollbacks run). */
export async function runJob<P, S>(services: JobServices, kind: JobKind<P, S>, params: P, options: { secrets?: S; cancel?: AbortSignal; host?: string; vmId?: string; id?: string } = {}): Promise<RunOutcome> {
  const job = { id: options.id ?? randomUUID(), kind: kind.kind, host: options.host ?? null, vmId: options.vmId ?? null, params, requestedBy: 'test', correlationId: randomUUID() };
  const outputs: Record<string, unknown> = {};
  const log: string[] = [];
  const registered: Array<{ name: string; data: unknown }> = [];
  const cancel = options.cancel ?? new AbortController().signal;
  const ctxFor = (signal: AbortSignal): StepContext<P, S> => ({
    job, secrets: (options.secrets ?? {}) as S, services, outputs,
    log: (level, message) => { log.push(`${level}: ${message}`); },
    logger: pino({ level: 'silent' }),
    signal,
    setTarget: async (t) => { if (t.host) job.host = t.host; if (t.vmId) job.vmId = t.vmId; },
    registerRollback: async (name, data) => { registered.push({ name, data }); },
    sleep: (seconds) => new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, seconds * 1000);
      const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
    withHostSlot: (host, resource, work) => {
      const key = `${host}|${resource}`;
      let limit = slots.get(key);
      if (!limit) slots.set(key, (limit = pLimit(1)));
      return limit(work);
    },
  });
  let error: Error | null = null;
  for (const step of kind.steps) {
    const base = ctxFor(cancel);
    if (step.when && !step.when(base)) continue;
    if (cancel.aborted) { error = new AppError('REMOTE_CANCELLED', 'cancelled'); break; }
    const deadline = AbortSignal.timeout((step.deadlineSeconds?.(base) ?? services.settings.stepDeadlineSeconds) * 1000);
    try {
      outputs[step.name] = await step.run(ctxFor(AbortSignal.any([cancel, deadline])));
      log.push(`step ${step.name} done`);
    } catch (e) {
      error = e as Error;
      log.push(`step ${step.name} failed: ${(e as Error).message}`);
      break;
    }
  }
  const rollbacks: string[] = [];
  if (error) {
    for (const r of [...registered].reverse()) {
      rollbacks.push(r.name);
      await kind.rollbacks?.[r.name]?.(ctxFor(new AbortController().signal), r.data);
    }
  }
  const state = !error ? 'succeeded' : cancel.aborted ? 'cancelled' : 'failed';
  return { state, result: !error ? kind.result?.(ctxFor(cancel)) ?? null : null, error, outputs, log, rollbacks, job };
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
