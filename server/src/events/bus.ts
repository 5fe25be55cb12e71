import { randomUUID } from 'node:crypto';

/**
 * The event bus: every change the service makes or observes (inventory, hosts, jobs,
 * notifications) is published here once, numbered with a process-wide sequence, and kept in
 * a bounded ring so a reconnecting subscriber can get exactly what it missed.
 */
export interface BusEvent<T = unknown> {
  /** e.g. `inventory`, `hosts`, `jobs`, `jobs:<id>`, `notifications`. */
  topic: string;
  /** e.g. `vm.updated`, `host.updated`. */
  type: string;
  seq: number;
  time: string;
  data: T;
  /** Set when the event came from another replica (PostgreSQL relay), so it is not sent back. */
  relayed?: boolean;
}

export type BusListener = (event: BusEvent) => void;

export interface ReplayResult {
  /** false when events after `afterSeq` have already left the ring: the client must reload. */
  complete: boolean;
  events: BusEvent[];
}

export class EventBus {
  /**
   * Names this sequence of seq numbers: a new process (or another replica) starts again at 1,
   * so a `lastSeq` means something only together with the stream it came from.
   */
  readonly streamId = randomUUID();
  private seq = 0;
  private readonly ring: BusEvent[] = [];
  private readonly listeners = new Set<BusListener>();

  constructor(private readonly capacity = 10_000) {}

  get lastSeq(): number {
    return this.seq;
  }

  publish<T>(topic: string, type: string, data: T, options: { relayed?: boolean; time?: string } = {}): BusEvent<T> {
    const event: BusEvent<T> = { topic, type, seq: ++this.seq, time: options.time ?? new Date().toISOString(), data, ...(options.relayed ? { relayed: true } : {}) };
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One faulty subscriber must not stop the others from hearing the event.
      }
    }
    return event;
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `afterSeq` whose topic passes `accept`, oldest first. */
  replay(afterSeq: number, accept: (topic: string) => boolean): ReplayResult {
    if (afterSeq >= this.seq) return { complete: true, events: [] };
    const oldest = this.ring[0]?.seq ?? this.seq + 1;
    const complete = afterSeq >= oldest - 1;
    return { complete, events: complete ? this.ring.filter((e) => e.seq > afterSeq && accept(e.topic)) : [] };
  }
}
