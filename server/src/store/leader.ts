/**
 * Which replica polls hosts and deploys agents (DESIGN §7). With PostgreSQL, the replica that
 * holds a session advisory lock on a dedicated connection is the leader; the lock is released
 * when that connection dies, and another replica takes over at its next attempt. With SQLite
 * there is one replica, which always leads.
 */
import pg from 'pg';
import type { Logger } from 'pino';

/** Arbitrary but fixed: "AetherV" in ASCII, as a bigint. */
export const LEADER_LOCK_KEY = 0x4165746865725600n;

export interface LeaderElection {
  readonly isLeader: boolean;
  /** Called with true when this replica becomes leader, false when it stops being one. */
  onChange(listener: (leader: boolean) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class SingleReplica implements LeaderElection {
  isLeader = false;
  private readonly listeners: ((leader: boolean) => void)[] = [];
  onChange(listener: (leader: boolean) => void): void { this.listeners.push(listener); }
  async start(): Promise<void> {
    this.isLeader = true;
    for (const l of this.listeners) l(true);
  }
  async stop(): Promise<void> {
    this.isLeader = false;
  }
}

export class PgAdvisoryLeader implements LeaderElection {
  isLeader = false;
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((leader: boolean) => void)[] = [];
  private stopped = false;

  constructor(private readonly connectionString: string, private readonly logger: Logger, private readonly retryMs = 5_000) {}

  onChange(listener: (leader: boolean) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
    this.set(false);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.connectionString });
        client.on('error', (error) => this.logger.warn({ err: error }, 'leader connection error'));
        client.on('end', () => {
          if (this.client === client) this.client = undefined;
          if (this.isLeader) this.logger.warn('lost the leader lock with its connection');
          this.set(false);
          this.schedule();
        });
        await client.connect();
        this.client = client;
      }
      if (!this.isLeader) {
        const result = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [LEADER_LOCK_KEY.toString()]);
        if (result.rows[0]?.locked) {
          this.logger.info('this replica is the leader: it polls hosts and deploys agents');
          this.set(true);
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'leader election attempt failed');
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.isLeader) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), this.retryMs);
    this.timer.unref();
  }

  private set(leader: boolean): void {
    if (leader === this.isLeader) return;
    this.isLeader = leader;
    for (const l of this.listeners) l(leader);
  }
}
