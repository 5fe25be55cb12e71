/**
 * The composition root of the domain services: event bus, WebSocket hub, notifications,
 * remoting, the agent client and the inventory. main.ts owns the lifecycle; app.ts exposes
 * the services over HTTP. Nothing here imports Fastify.
 */
import type { Logger } from 'pino';
import type { AppConfig } from './config/load.ts';
import { AppError } from './errors.ts';
import { EventBus } from './events/bus.ts';
import { WebSocketHub } from './events/hub.ts';
import { NotificationService } from './events/notifications.ts';
import { TransportPool } from './remoting/pool.ts';
import { createTransport } from './remoting/index.ts';
import type { RemotingSettings } from './remoting/settings.ts';
import { AgentClient } from './agent/client.ts';
import { InventoryService } from './inventory/service.ts';
import { BootstrapRunner } from './agent/bootstrap.ts';
import { DeploymentService } from './deployment/service.ts';
import type { Store } from './store/store.ts';
import { JobEngine } from './jobs/engine.ts';
import { parseHostSlots } from './jobs/limits.ts';
import { allKinds } from './jobs/kinds/index.ts';
import { buildInfo } from './version.ts';
import { hasRole, type Principal } from './auth/principal.ts';
import { ApiTokenStore } from './auth/api-tokens.ts';
import { AuditLog } from './auth/audit-log.ts';

/** The hosts to manage and how to reach them: configured hosts, or the embedded laboratory's. */
export interface HostTarget {
  hosts: string[];
  remoting: RemotingSettings;
  /** Where to connect for a host when it is not its name (the laboratory's loopback addresses). */
  resolveAddress?: (host: string) => string | undefined;
  /** Per-host settings when hosts differ (the laboratory's ephemeral ports). */
  settingsFor?: (host: string) => RemotingSettings;
}

/** The URL hosts download artifacts from: AGENT_DOWNLOAD_BASE_URL (the orchestrator's public URL) + /agent. */
export function agentDownloadUrl(configured: string | undefined, fallback: string): string {
  const base = (configured ?? fallback).replace(/\/+$/, '');
  return base.endsWith('/agent') ? base : `${base}/agent`;
}

export interface Services {
  bus: EventBus;
  hub: WebSocketHub;
  notifications: NotificationService;
  pool: TransportPool;
  agent: AgentClient;
  inventory: InventoryService;
  deployment: DeploymentService;
  /** Durable jobs (issue 7); main.ts starts it after the start-up deployment. */
  jobs: JobEngine;
  /** Named API tokens and the audit log (issue 8). */
  tokens: ApiTokenStore;
  audit: AuditLog;
  stop(): Promise<void>;
}

export function createServices(config: AppConfig, target: HostTarget, storeOf: () => Store | undefined, logger: Logger, downloadBaseUrl: () => string): Services {
  const bus = new EventBus();
  const hub = new WebSocketHub(bus, { canRead: (principal: Principal) => hasRole(principal, 'reader') });
  const openStore = (): Store => {
    const store = storeOf();
    if (!store) throw new AppError('STORE_UNAVAILABLE', 'the store is not open yet; see /readyz');
    return store;
  };
  const notifications = new NotificationService(openStore, bus);
  const tokens = new ApiTokenStore(openStore);
  const audit = new AuditLog(openStore);
  const remotingLog = logger.child({ component: 'remoting' });
  const pool = new TransportPool(target.remoting, {
    logger: remotingLog,
    ...(target.resolveAddress ? { resolveAddress: target.resolveAddress } : {}),
    ...(target.settingsFor ? { factory: (host, _settings, options) => createTransport(host, target.settingsFor!(host), options) } : {}),
  });
  const agent = new AgentClient({
    transports: pool,
    installDirectory: config.agent.installDirectory,
    limits: { perHost: config.limits.hostConcurrency, total: config.limits.remoteConcurrency },
    logger: logger.child({ component: 'agent' }),
    remotingFor: (host) => (target.settingsFor ? target.settingsFor(host) : target.remoting),
  });
  const inventory = new InventoryService({
    hosts: target.hosts,
    source: { collect: (host, params, correlationId) => agent.inventoryCollect(host, params, correlationId ? { correlationId, retries: 0 } : { retries: 0 }) },
    bus,
    logger: logger.child({ component: 'inventory' }),
    laboratory: config.laboratory,
    refreshIntervalSeconds: config.inventory.refreshIntervalSeconds,
  });
  const deployment = new DeploymentService({
    hosts: target.hosts,
    bootstrap: new BootstrapRunner({ client: agent, transportKind: (host) => pool.kind(host) }),
    artifactsPath: config.agent.artifactsPath,
    installDirectory: config.agent.installDirectory,
    mode: config.agent.deployMode,
    downloadBaseUrl,
    bus,
    notifications,
    logger: logger.child({ component: 'deployment' }),
  });
  const jobs = new JobEngine({
    storeOf, bus, logger: logger.child({ component: 'jobs' }), secretsKey: config.auth.secretsKey,
    concurrency: config.jobs.concurrency, hostSlots: parseHostSlots(config.jobs.hostSlots), leaseSeconds: config.jobs.leaseSeconds,
    abortGraceSeconds: config.jobs.abortGraceSeconds,
    services: {
      agent, inventory, deployment, version: buildInfo().version,
      settings: { stepDeadlineSeconds: config.jobs.stepDeadlineSeconds, guestKeyTimeoutSeconds: config.jobs.guestKeyTimeoutSeconds, guestApplyTimeoutSeconds: config.jobs.guestApplyTimeoutSeconds, kvpPollSeconds: config.jobs.kvpPollSeconds },
    },
  });
  jobs.registerKinds(allKinds);
  return {
    bus, hub, notifications, pool, agent, inventory, deployment, tokens, audit,
    jobs,
    stop: async () => {
      // Running jobs are interrupted first (they resume on the next start), while hosts are still reachable.
      await jobs.stop();
      deployment.stop();
      inventory.stop();
      hub.close();
      await pool.close();
    },
  };
}
