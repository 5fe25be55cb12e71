/**
 * Process entry: config → store → services → HTTP, and graceful shutdown.
 * Bad configuration never stops the API: it stays up to explain itself on /readyz, while
 * host-touching services stay stopped (DESIGN §10).
 */
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type AppConfig } from './config/load.ts';
import { formatProblem, type ConfigReport } from './config/report.ts';
import { createLogger, type Logger } from './logging.ts';
import { Readiness } from './readiness.ts';
import { openStore, type Store } from './store/store.ts';
import { buildApp } from './app.ts';
import { buildInfo } from './version.ts';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServices, agentDownloadUrl, type HostTarget, type Services } from './services.ts';
import { buildArtifacts } from './artifacts/build.ts';
import { REPOSITORY_ROOT } from './version.ts';
import { startLaboratory, type Laboratory } from './laboratory.ts';
import { startReplication, type Replication } from './replication.ts';

export interface RunningServer {
  app: FastifyInstance;
  config: AppConfig;
  report: ConfigReport;
  readiness: Readiness;
  /** The bound URL, e.g. http://127.0.0.1:8000 */
  url: string;
  stop(): Promise<void>;
}

const STORE_RETRY_MS = 10_000;

export async function startServer(env: NodeJS.ProcessEnv = process.env, options: { logger?: Logger; handleSignals?: boolean } = {}): Promise<RunningServer> {
  const { config, report } = loadConfig(env, { inContainer: process.cwd() === '/app' });
  const logger = options.logger ?? createLogger(config.server.logLevel, process.stdout.isTTY === true);
  const { version, commit } = buildInfo();
  logger.info({ version, commit, laboratory: config.laboratory }, config.laboratory ? 'Aether-V Orchestrator starting — SIMULATED LABORATORY (no HYPERV_HOSTS configured)' : `Aether-V Orchestrator starting for ${config.hosts.length} host(s)`);
  for (const w of report.warnings) logger.warn({ variable: w.variable }, `configuration: ${formatProblem(w)}`);
  for (const e of report.errors) logger.error({ variable: e.variable }, `configuration: ${formatProblem(e)}`);

  const readiness = new Readiness();
  readiness.set('configuration', report.errors.length === 0
    ? { ready: true }
    : { ready: false, detail: report.errors.map(formatProblem).join('; ') });

  let store: Store | undefined;
  let storeTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  const connectStore = async (): Promise<void> => {
    try {
      store = await openStore(config.database.url);
      readiness.set('store', { ready: true, detail: `${store.dialect} at ${store.location}` });
      logger.info({ dialect: store.dialect, location: store.location }, 'store open');
    } catch (error) {
      readiness.set('store', { ready: false, detail: (error as Error).message });
      logger.error({ err: error }, `store unavailable, retrying in ${STORE_RETRY_MS / 1000}s`);
      if (!stopping) storeTimer = setTimeout(() => void connectStore(), STORE_RETRY_MS);
    }
  };
  readiness.set('store', { ready: false, detail: 'opening' });
  await connectStore();

  // The embedded laboratory stands in for HYPERV_HOSTS when none are configured.
  let laboratory: Laboratory | undefined;
  let target: HostTarget = { hosts: config.hosts, remoting: config.remoting };
  if (config.laboratory) {
    readiness.set('laboratory', { ready: false, detail: 'starting the simulated laboratory' });
    laboratory = await startLaboratory(logger.child({ component: 'laboratory' }));
    target = laboratory.target;
    readiness.set('laboratory', { ready: true, detail: `simulated laboratory: ${target.hosts.join(', ')}` });
  }
  await ensureArtifacts(config, logger);
  let url = '';
  // Laboratory hosts share this machine; real hosts reach us by name unless told otherwise.
  const fallbackBase = () => (config.laboratory ? url : url.replace('127.0.0.1', hostname()));
  const services: Services = createServices(config, target, () => store, logger, () => agentDownloadUrl(config.agent.downloadBaseUrl, fallbackBase()));

  const app = await buildApp({ config, readiness, logger, services });
  await app.listen({ port: config.server.port, host: config.server.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  url = `http://${config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host}:${port}`;

  // Jobs touch hosts, so they run (and interrupted ones resume) once the agents are deployed and inventoried;
  // the store may still be connecting, so starting retries until it is open.
  let jobsTimer: NodeJS.Timeout | undefined;
  const startJobs = async (): Promise<void> => {
    try {
      await services.jobs.start();
      readiness.set('jobs', { ready: true, detail: 'job engine running' });
    } catch (error) {
      readiness.set('jobs', { ready: false, detail: (error as Error).message });
      if (!stopping) jobsTimer = setTimeout(() => void startJobs(), STORE_RETRY_MS);
    }
  };

  // Hosts pull the agent from this server, so deployment starts once it listens; the
  // inventory follows, since collecting needs the agent. With several replicas only the
  // leader deploys; every replica observes the hosts for its own API and WebSockets.
  let replication: Replication | undefined;
  if (report.errors.length === 0) {
    readiness.set('deployment', { ready: false, detail: 'start-up host agent deployment in progress' });
    let hostWorkStarted = false;
    const startHostWork = (): void => {
      if (hostWorkStarted || stopping) return;
      hostWorkStarted = true;
      services.inventory.start();
      // Jobs place VMs from the inventory: they start once the first pass has seen the hosts.
      void services.inventory.refreshAll().catch(() => undefined).then(() => (stopping ? undefined : startJobs()));
    };
    const deployAll = (): void => {
      void services.deployment.ensureAll().then((statuses) => {
        const failed = statuses.filter((s) => s.state !== 'current');
        readiness.set('deployment', { ready: true, detail: failed.length === 0 ? `agent ${statuses[0]?.targetVersion ?? ''} current on ${statuses.length} host(s)` : `finished; not current on: ${failed.map((f) => `${f.host} (${f.reason ?? f.state})`).join('; ')}` });
        startHostWork();
      });
    };
    try {
      replication = await startReplication(config.database.url, services.bus, logger);
      replication.leader.onChange((leader) => {
        if (leader) deployAll();
      });
      await replication.leader.start();
      if (!replication.leader.isLeader) {
        readiness.set('deployment', { ready: true, detail: 'another replica leads: it deploys the host agent' });
        startHostWork();
      }
    } catch (error) {
      logger.error({ err: error }, 'cannot join the other replicas; deploying from this one');
      deployAll();
    }
  } else {
    logger.warn('host-touching services stay stopped until the configuration errors are fixed');
  }

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (storeTimer) clearTimeout(storeTimer);
    if (jobsTimer) clearTimeout(jobsTimer);
    // Each part stops even when another failed to: a shutdown must always finish.
    // Fastify's close waits for in-flight requests to finish before resolving.
    const parts: [string, (() => Promise<void>) | undefined][] = [
      ['replication', replication ? () => replication!.stop() : undefined],
      ['services', () => services.stop()],
      ['http', () => closeHttp(app, logger)],
      ['laboratory', laboratory ? () => laboratory!.stop() : undefined],
      ['store', store ? () => store!.close() : undefined],
    ];
    for (const [name, stopPart] of parts) {
      try {
        logger.debug({ part: name }, 'stopping');
        await stopPart?.();
      } catch (error) {
        logger.warn({ err: error, part: name }, 'error while stopping');
      }
    }
    logger.info('stopped');
  };

  if (options.handleSignals !== false) {
    closeWithGrace({ delay: 15_000, logger: { error: (m: unknown) => logger.error(m) } }, async ({ signal, err }) => {
      if (err) logger.error({ err }, 'fatal error, shutting down');
      else logger.info({ signal }, 'shutting down');
      await stop();
    });
  }
  return { app, config, report, readiness, url, stop };
}

/** A checkout has no built artifacts until `npm run build:artifacts`; build them once so `npm start` just works. */
async function ensureArtifacts(config: AppConfig, logger: Logger): Promise<void> {
  if (existsSync(join(config.agent.artifactsPath, 'manifest.json'))) return;
  if (!existsSync(join(REPOSITORY_ROOT, 'Powershell'))) {
    logger.error({ artifactsPath: config.agent.artifactsPath }, 'no artifacts to deploy to hosts: set ARTIFACTS_BASE_PATH to a built artifacts folder');
    return;
  }
  logger.info({ artifactsPath: config.agent.artifactsPath }, 'building host artifacts (scripts, provisioning ISOs, manifest)');
  const result = await buildArtifacts({ root: REPOSITORY_ROOT, outDir: config.agent.artifactsPath });
  for (const warning of result.warnings) logger.warn(`artifacts: ${warning}`);
}

/** How long in-flight requests may take to finish once a shutdown starts. */
const HTTP_CLOSE_GRACE_MS = 8_000;

/**
 * Fastify's close waits for every in-flight request; a client that keeps a download or a
 * connection open must not hold the shutdown past the grace period (and the supervisor's
 * kill after 15 s).
 */
async function closeHttp(app: FastifyInstance, logger: Logger): Promise<void> {
  const closing = app.close();
  // close() drops the connections idle at that moment; one whose request finishes later would
  // otherwise linger as keep-alive until its timeout.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), HTTP_CLOSE_GRACE_MS); });
  if ((await Promise.race([closing.then(() => 'closed' as const), grace])) === 'late') {
    logger.warn(`requests still open after ${HTTP_CLOSE_GRACE_MS / 1000} s: closing their connections`);
    app.server.closeAllConnections();
    await closing;
  }
  clearTimeout(timer);
  clearInterval(sweep);
}
