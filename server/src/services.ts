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
import type { RemotingSettings } from './remoting/settings.ts';
import { AgentClient } from './agent/client.ts';
import { InventoryService } from './inventory/service.ts';
import type { Store } from './store/store.ts';
import { hasRole, type Principal } from './auth/principal.ts';

/** The hosts to manage and how to reach them: configured hosts, or the embedded laboratory's. */
export interface HostTarget {
  hosts: string[];
  remoting: RemotingSettings;
  /** Where to connect for a host when it is not its name (the laboratory's loopback addresses). */
  resolveAddress?: (host: string) => string | undefined;
}

export interface Services {
  bus: EventBus;
  hub: WebSocketHub;
  notifications: NotificationService;
  pool: TransportPool;
  agent: AgentClient;
  inventory: InventoryService;
  stop(): Promise<void>;
}

export function createServices(config: AppConfig, target: HostTarget, storeOf: () => Store | undefined, logger: Logger): Services {
  const bus = new EventBus();
  const hub = new WebSocketHub(bus, { canRead: (principal: Principal) => hasRole(principal, 'reader') });
  const notifications = new NotificationService(() => {
    const store = storeOf();
    if (!store) throw new AppError('STORE_UNAVAILABLE', 'the store is not open yet; see /readyz');
    return store;
  }, bus);
  const remotingLog = logger.child({ component: 'remoting' });
  const pool = new TransportPool(target.remoting, {
    logger: remotingLog,
    ...(target.resolveAddress ? { resolveAddress: target.resolveAddress } : {}),
  });
  const agent = new AgentClient({
    transports: pool,
    installDirectory: config.agent.installDirectory,
    limits: { perHost: config.limits.hostConcurrency, total: config.limits.remoteConcurrency },
    logger: logger.child({ component: 'agent' }),
  });
  const inventory = new InventoryService({
    hosts: target.hosts,
    source: { collect: (host, params, correlationId) => agent.inventoryCollect(host, params, correlationId ? { correlationId, retries: 0 } : { retries: 0 }) },
    bus,
    logger: logger.child({ component: 'inventory' }),
    laboratory: config.laboratory,
    refreshIntervalSeconds: config.inventory.refreshIntervalSeconds,
  });
  return {
    bus, hub, notifications, pool, agent, inventory,
    stop: async () => {
      inventory.stop();
      hub.close();
      await pool.close();
    },
  };
}
