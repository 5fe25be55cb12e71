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

  const app = await buildApp({ config, readiness, logger });
  await app.listen({ port: config.server.port, host: config.server.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${port}`;

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (storeTimer) clearTimeout(storeTimer);
    // Fastify's close waits for in-flight requests to finish before resolving.
    await app.close();
    await store?.close();
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
