/**
 * Keeps every host running exactly this build's agent (DESIGN §4): check the installed
 * version; when it differs, have the host pull the manifest's files from us (or push them
 * over the remoting channel in chunks), verify, and record. A failed install leaves the
 * previous agent working (the host scripts guarantee it) and is retried with back-off.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../errors.ts';
import type { BootstrapRunner } from '../agent/bootstrap.ts';
import type { AgentManifest } from '../agent/types.generated.ts';
import type { EventBus } from '../events/bus.ts';
import type { NotificationService } from '../events/notifications.ts';
import type { DeploymentState, DeploymentStatus } from './status.ts';
import { artifactLocation, readManifest } from '../artifacts/manifest.ts';

export interface DeploymentServiceOptions {
  hosts: string[];
  bootstrap: BootstrapRunner;
  /** The artifacts folder: manifest.json plus the files it lists (isos/, scripts/). */
  artifactsPath: string;
  installDirectory: string;
  mode: 'pull' | 'push';
  /** Base URL hosts download from (…/agent); required for pull mode. */
  downloadBaseUrl: () => string;
  bus: EventBus;
  notifications?: NotificationService;
  logger: Logger;
  /** Back-off after failures: first delay and cap, ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Push mode chunk size, bytes (before base64). */
  pushChunkBytes?: number;
}

export class DeploymentService {
  private readonly status = new Map<string, DeploymentStatus>();
  private readonly inFlight = new Map<string, Promise<DeploymentStatus>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private manifest: Promise<AgentManifest> | undefined;
  private stopped = false;

  constructor(private readonly options: DeploymentServiceOptions) {
    for (const host of options.hosts) {
      this.status.set(host, { host, state: 'unknown', installedVersion: null, targetVersion: '', reason: null, lastChecked: null, failures: 0, nextAttemptAt: null });
    }
  }

  statusOf(host: string): DeploymentStatus | undefined {
    const s = this.status.get(host);
    return s ? { ...s } : undefined;
  }

  all(): DeploymentStatus[] {
    return [...this.status.values()].map((s) => ({ ...s }));
  }

  /** Start-up and redeploy: every host in parallel (the agent client bounds concurrency). */
  async ensureAll(options: { force?: boolean; correlationId?: string } = {}): Promise<DeploymentStatus[]> {
    return Promise.all(this.options.hosts.map((h) => this.ensureCurrent(h, options)));
  }

  /** Makes sure one host runs this build's agent; concurrent callers share the attempt. */
  ensureCurrent(host: string, options: { force?: boolean; correlationId?: string } = {}): Promise<DeploymentStatus> {
    if (!this.status.has(host)) return Promise.reject(new AppError('NOT_FOUND', `no host named ${host}`));
    const current = this.status.get(host)!;
    if (!options.force && current.state === 'current') return Promise.resolve({ ...current });
    const existing = this.inFlight.get(host);
    if (existing) return existing;
    const run = this.reconcile(host, options).finally(() => this.inFlight.delete(host));
    this.inFlight.set(host, run);
    return run;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private async reconcile(host: string, options: { force?: boolean; correlationId?: string }): Promise<DeploymentStatus> {
    const call = options.correlationId ? { correlationId: options.correlationId } : {};
    const installDirectory = this.options.installDirectory;
    try {
      const manifest = await this.loadManifest();
      this.update(host, 'checking', { targetVersion: manifest.version, reason: null });
      const before = await this.options.bootstrap.run(host, 'version', { installDirectory }, call);
      if (!options.force && before.installed && before.version === manifest.version) {
        return this.succeed(host, before.version);
      }
      this.update(host, 'deploying', { installedVersion: before.version, reason: `installing ${manifest.version} (${this.options.mode} mode) over ${before.installed ? before.version : 'nothing'}` });
      this.options.logger.info({ host, from: before.version, to: manifest.version, mode: this.options.mode }, 'deploying host agent');
      if (this.options.mode === 'push') await this.push(host, manifest, call);
      else await this.options.bootstrap.run(host, 'install', { installDirectory, mode: 'pull', baseUrl: this.options.downloadBaseUrl(), manifest }, { ...call, deadlineSeconds: 900 });
      // Trust, but verify: the version the host now reports is what counts.
      const after = await this.options.bootstrap.run(host, 'version', { installDirectory }, call);
      if (!after.installed || after.version !== manifest.version) {
        throw new AppError('AGENT_OPERATION_FAILED', `install finished but the host reports version ${after.version ?? 'none'}, not ${manifest.version}`);
      }
      this.options.logger.info({ host, version: after.version }, 'host agent current');
      return this.succeed(host, after.version);
    } catch (error) {
      return this.fail(host, error);
    }
  }

  private async push(host: string, manifest: AgentManifest, call: { correlationId?: string }): Promise<void> {
    const stagingId = randomUUID();
    const chunk = this.options.pushChunkBytes ?? 512 * 1024;
    const installDirectory = this.options.installDirectory;
    for (const file of manifest.files) {
      const data = await readFile(join(this.options.artifactsPath, artifactLocation(file.name)));
      for (let offset = 0; offset === 0 || offset < data.length; offset += chunk) {
        const piece = data.subarray(offset, offset + chunk);
        await this.options.bootstrap.run(host, 'stage', { installDirectory, stagingId, name: file.name, offset, dataBase64: piece.toString('base64') }, call);
        if (data.length === 0) break;
      }
    }
    await this.options.bootstrap.run(host, 'install', { installDirectory, mode: 'push', stagingId, manifest }, { ...call, deadlineSeconds: 600 });
  }

  private loadManifest(): Promise<AgentManifest> {
    this.manifest ??= readManifest(this.options.artifactsPath)
      .then((manifest) => manifest as AgentManifest)
      .catch((error: unknown) => {
        this.manifest = undefined;
        throw new AppError('NOT_READY', `no artifacts to deploy at ${this.options.artifactsPath} (run npm run build:artifacts): ${(error as Error).message}`);
      });
    return this.manifest;
  }

  private succeed(host: string, version: string | null): DeploymentStatus {
    const timer = this.timers.get(host);
    if (timer) clearTimeout(timer);
    this.timers.delete(host);
    const previous = this.status.get(host)!;
    const status = this.update(host, 'current', { installedVersion: version, reason: null, failures: 0, nextAttemptAt: null });
    if (previous.failures > 0) void this.options.notifications?.notify({ key: `deployment:${host}`, level: 'info', category: 'deployment', title: `Host agent on ${host} is current again`, message: `version ${version ?? '?'}`, resource: { type: 'host', id: host } }).catch(() => undefined);
    return status;
  }

  private fail(host: string, error: unknown): DeploymentStatus {
    const previous = this.status.get(host)!;
    const failures = previous.failures + 1;
    const base = this.options.retryBaseMs ?? 30_000;
    const delay = Math.min(this.options.retryMaxMs ?? 15 * 60_000, base * 2 ** (failures - 1));
    const reason = isAppError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
    this.options.logger.warn({ host, failures, retryInMs: delay }, `host agent deployment failed: ${reason}`);
    const status = this.update(host, 'failed', { reason, failures, nextAttemptAt: new Date(Date.now() + delay).toISOString() });
    void this.options.notifications?.notify({ key: `deployment:${host}`, level: 'error', category: 'deployment', title: `Host agent deployment failed on ${host}`, message: reason, resource: { type: 'host', id: host } }).catch(() => undefined);
    if (!this.stopped) {
      const timer = setTimeout(() => { this.timers.delete(host); void this.ensureCurrent(host); }, delay);
      timer.unref();
      this.timers.set(host, timer);
    }
    return status;
  }

  private update(host: string, state: DeploymentState, fields: Partial<DeploymentStatus>): DeploymentStatus {
    const next: DeploymentStatus = { ...this.status.get(host)!, ...fields, state, lastChecked: new Date().toISOString() };
    this.status.set(host, next);
    this.options.bus.publish('hosts', 'host.deployment', { ...next });
    return { ...next };
  }
}
