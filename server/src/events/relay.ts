/**
 * Carries events between replicas over PostgreSQL LISTEN/NOTIFY (DESIGN §7): a job runs on one
 * replica, but a browser watching it may be connected to another. Each replica publishes its
 * own events to the channel and re-publishes the others' on its local bus. Payloads larger than
 * NOTIFY allows are parked in a table and fetched by id.
 *
 * Inventory events are not relayed: every replica observes the hosts itself and diffs its own
 * model, so relaying them would deliver each change twice.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { EventBus, BusEvent } from './bus.ts';

export const RELAY_CHANNEL = 'aetherv_events';
/** NOTIFY payloads must stay under 8,000 bytes. */
const MAX_INLINE_BYTES = 7_500;
const LOCAL_ONLY_TOPICS = new Set(['inventory', 'hosts']);

interface Envelope {
  origin: string;
  topic: string;
  type: string;
  time: string;
  data?: unknown;
  /** Set instead of `data` when the payload was parked in relayed_events. */
  ref?: string;
}

export interface EventRelayOptions {
  connectionString: string;
  bus: EventBus;
  logger: Logger;
  /** Which topics cross replicas (default: everything but inventory and hosts). */
  relays?: (topic: string) => boolean;
}

export class PgEventRelay {
  readonly origin = randomUUID();
  private listener: pg.Client | undefined;
  private readonly pool: pg.Pool;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly options: EventRelayOptions) {
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: 2 });
    this.pool.on('error', () => undefined);
  }

  async start(): Promise<void> {
    await this.connectListener();
    const relays = this.options.relays ?? ((topic: string) => !LOCAL_ONLY_TOPICS.has(topic));
    this.unsubscribe = this.options.bus.subscribe((event) => {
      if (!event.relayed && relays(event.topic)) void this.send(event);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('error', (error) => this.options.logger.warn({ err: error }, 'event relay connection lost'));
    client.on('end', () => {
      // Reconnect: replicas must not silently stop hearing each other.
      if (!this.stopped) setTimeout(() => void this.connectListener().catch((e: unknown) => this.options.logger.error({ err: e }, 'event relay cannot reconnect')), 1_000).unref();
    });
    client.on('notification', (message) => void this.receive(message.payload ?? ''));
    await client.connect();
    await client.query(`LISTEN ${RELAY_CHANNEL}`);
    this.listener = client;
  }

  private async send(event: BusEvent): Promise<void> {
    const envelope: Envelope = { origin: this.origin, topic: event.topic, type: event.type, time: event.time, data: event.data };
    let payload = JSON.stringify(envelope);
    try {
      if (Buffer.byteLength(payload) > MAX_INLINE_BYTES) {
        const ref = randomUUID();
        await this.pool.query('INSERT INTO relayed_events (id, payload, created_at) VALUES ($1, $2, $3)', [ref, payload, new Date().toISOString()]);
        payload = JSON.stringify({ origin: this.origin, topic: event.topic, type: event.type, time: event.time, ref } satisfies Envelope);
        // Parked payloads are read within moments; keep the table small.
        await this.pool.query('DELETE FROM relayed_events WHERE created_at < $1', [new Date(Date.now() - 10 * 60_000).toISOString()]);
      }
      await this.pool.query('SELECT pg_notify($1, $2)', [RELAY_CHANNEL, payload]);
    } catch (error) {
      this.options.logger.warn({ err: error, topic: event.topic, type: event.type }, 'could not relay an event to other replicas');
    }
  }

  private async receive(payload: string): Promise<void> {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
      if (envelope.origin === this.origin) return;
      if (envelope.ref) {
        const row = await this.pool.query<{ payload: string }>('SELECT payload FROM relayed_events WHERE id = $1', [envelope.ref]);
        if (!row.rows[0]) return;
        envelope = JSON.parse(row.rows[0].payload) as Envelope;
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'ignored a malformed relayed event');
      return;
    }
    this.options.bus.publish(envelope.topic, envelope.type, envelope.data, { relayed: true, time: envelope.time });
  }
}
