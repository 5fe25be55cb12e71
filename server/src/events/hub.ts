/**
 * The WebSocket hub: subscriptions per connection, fan-out from the event bus, replay on
 * reconnect, heartbeat, and dropping of slow clients so they never slow the others.
 * Transport-neutral: it talks to a minimal socket interface that `ws` satisfies.
 */
import type { EventBus, BusEvent } from './bus.ts';
import { isValidTopic } from './topics.ts';
import type { Principal } from '../auth/principal.ts';

export interface HubSocket {
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  terminate(): void;
}


export interface HubOptions {
  /** Bytes queued for one client beyond which it is dropped. */
  maxBufferedBytes?: number;
  heartbeatMs?: number;
  /** May this principal read this topic? Default: yes. */
  canRead?: (principal: Principal, topic: string) => boolean;
}

interface Connection {
  socket: HubSocket;
  principal: Principal;
  topics: Set<string>;
  alive: boolean;
}

/** How many topics one connection may hold (fixed topics plus jobs:<id> ones). */
export const MAX_TOPICS_PER_CONNECTION = 256;

/** The first few of a client's strings, each cut short: error messages echo them back. */
function shortList(items: string[]): string {
  const shown = items.slice(0, 5).map((t) => (t.length > 80 ? `${t.slice(0, 80)}…` : t)).join(', ');
  return items.length > 5 ? `${shown} and ${items.length - 5} more` : shown;
}

/** Close codes (RFC 6455 + registered): 1008 policy, 1013 try again later. */
export const CLOSE_SLOW_CONSUMER = 1013;

export class WebSocketHub {
  private readonly connections = new Set<Connection>();
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxBuffered: number;
  private readonly canRead: (principal: Principal, topic: string) => boolean;

  constructor(private readonly bus: EventBus, options: HubOptions = {}) {
    this.maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    this.canRead = options.canRead ?? (() => true);
    this.unsubscribe = bus.subscribe((event) => this.fanOut(event));
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  /** Registers a socket; returns the handlers the transport calls on message, pong and close. */
  attach(socket: HubSocket, principal: Principal): { onMessage: (raw: string) => void; onPong: () => void; onClose: () => void } {
    const connection: Connection = { socket, principal, topics: new Set(), alive: true };
    this.connections.add(connection);
    this.send(connection, { type: 'welcome', stream: this.bus.streamId, lastSeq: this.bus.lastSeq, principal: { subject: principal.subject, name: principal.name, roles: principal.roles } });
    return {
      onMessage: (raw) => this.handle(connection, raw),
      onPong: () => { connection.alive = true; },
      onClose: () => { this.connections.delete(connection); },
    };
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const c of this.connections) c.socket.close(1001, 'server shutting down');
    this.connections.clear();
  }

  private handle(connection: Connection, raw: string): void {
    let message: { action?: unknown; topics?: unknown; lastSeq?: unknown; stream?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      this.send(connection, { type: 'error', message: 'messages must be JSON: {"action":"subscribe","topics":["inventory"]}' });
      return;
    }
    const topics = Array.isArray(message.topics) ? message.topics.filter((t): t is string => typeof t === 'string') : [];
    switch (message.action) {
      case 'subscribe': {
        const bad = topics.filter((t) => !isValidTopic(t));
        const denied = topics.filter((t) => isValidTopic(t) && !this.canRead(connection.principal, t));
        const readable = topics.filter((t) => isValidTopic(t) && this.canRead(connection.principal, t));
        // Every jobs:<id> is a valid topic: without a cap one client could grow its set without end.
        const accepted = readable.filter((t) => connection.topics.has(t) || (connection.topics.size < MAX_TOPICS_PER_CONNECTION && connection.topics.add(t)));
        if (bad.length > 0) this.send(connection, { type: 'error', message: `unknown topic(s): ${shortList(bad)}; valid: inventory, hosts, jobs, jobs:<id>, notifications` });
        if (denied.length > 0) this.send(connection, { type: 'error', message: `not allowed to read: ${shortList(denied)}` });
        if (accepted.length < readable.length) this.send(connection, { type: 'error', message: `at most ${MAX_TOPICS_PER_CONNECTION} topics per connection: not subscribed to ${shortList(readable.filter((t) => !accepted.includes(t)))}; unsubscribe from some first` });
        this.send(connection, { type: 'subscribed', topics: [...connection.topics], lastSeq: this.bus.lastSeq });
        if (typeof message.lastSeq === 'number' && accepted.length > 0) {
          // A seq from another stream (the server restarted, or another replica) says nothing here.
          if (typeof message.stream === 'string' && message.stream !== this.bus.streamId) {
            this.send(connection, { type: 'reload', reason: 'the server restarted (or this is another replica): reload the current state', stream: this.bus.streamId, lastSeq: this.bus.lastSeq });
          } else {
            this.replay(connection, message.lastSeq, new Set(accepted));
          }
        }
        return;
      }
      case 'unsubscribe':
        for (const t of topics) connection.topics.delete(t);
        this.send(connection, { type: 'subscribed', topics: [...connection.topics], lastSeq: this.bus.lastSeq });
        return;
      case 'ping':
        this.send(connection, { type: 'pong', lastSeq: this.bus.lastSeq });
        return;
      default:
        this.send(connection, { type: 'error', message: 'action must be subscribe, unsubscribe or ping' });
    }
  }

  private replay(connection: Connection, afterSeq: number, topics: Set<string>): void {
    const { complete, events } = this.bus.replay(afterSeq, (topic) => topics.has(topic));
    if (!complete) {
      this.send(connection, { type: 'reload', reason: 'missed events are no longer buffered; reload the current state', stream: this.bus.streamId, lastSeq: this.bus.lastSeq });
      return;
    }
    for (const e of events) this.send(connection, e);
  }

  private fanOut(event: BusEvent): void {
    for (const c of this.connections) if (c.topics.has(event.topic)) this.send(c, event);
  }

  private send(connection: Connection, message: object): void {
    if (connection.socket.bufferedAmount > this.maxBuffered) {
      this.connections.delete(connection);
      connection.socket.close(CLOSE_SLOW_CONSUMER, 'too slow: reconnect with your last seq');
      return;
    }
    try {
      connection.socket.send(JSON.stringify(message));
    } catch {
      this.connections.delete(connection);
    }
  }

  private beat(): void {
    for (const c of this.connections) {
      if (!c.alive) {
        this.connections.delete(c);
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }
}
