/**
 * One replica or several (DESIGN §7). With SQLite there is one replica: it leads. With
 * PostgreSQL, replicas elect a leader (advisory lock) that deploys agents to hosts, and relay
 * their events to each other (LISTEN/NOTIFY) so every WebSocket sees every job.
 */
import type { Logger } from 'pino';
import type { EventBus } from './events/bus.ts';
import { PgEventRelay } from './events/relay.ts';
import { PgAdvisoryLeader, SingleReplica, type LeaderElection } from './store/leader.ts';
import { parseDatabaseUrl } from './store/url.ts';

export interface Replication {
  leader: LeaderElection;
  mode: 'single' | 'replicated';
  stop(): Promise<void>;
}

export async function startReplication(databaseUrl: string, bus: EventBus, logger: Logger): Promise<Replication> {
  const location = parseDatabaseUrl(databaseUrl);
  if (location.dialect === 'sqlite') {
    const leader = new SingleReplica();
    return { leader, mode: 'single', stop: () => leader.stop() };
  }
  const relay = new PgEventRelay({ connectionString: location.connectionString, bus, logger: logger.child({ component: 'relay' }) });
  await relay.start();
  const leader = new PgAdvisoryLeader(location.connectionString, logger.child({ component: 'leader' }));
  return {
    leader,
    mode: 'replicated',
    stop: async () => {
      await leader.stop();
      await relay.stop();
    },
  };
}
