/**
 * The browser's live connection (server/web/live.js) with a scripted WebSocket: it subscribes on
 * open, tracks the last seq, reconnects by itself and resumes from that seq, and asks its owner
 * to reload when the server says the missed events are gone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { WEB_ROOT } from '../../server/src/api/web.ts';

class FakeSocket {
  static readonly OPEN = 1;
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  private listeners = new Map<string, ((event: { data?: string; code?: number }) => void)[]>();
  constructor(readonly url: string) { FakeSocket.instances.push(this); }
  addEventListener(type: string, fn: (event: { data?: string; code?: number }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  send(data: string): void { this.sent.push(JSON.parse(data) as Record<string, unknown>); }
  close(): void { this.drop(); }
  // Server side of the script:
  open(): void { this.readyState = 1; this.fire('open', {}); }
  receive(message: object): void { this.fire('message', { data: JSON.stringify(message) }); }
  drop(code = 1006): void { this.readyState = 3; this.fire('close', { code }); }
  private fire(type: string, event: { data?: string; code?: number }): void { for (const fn of this.listeners.get(type) ?? []) fn(event); }
}

interface Live {
  subscribe(topics: string[]): void;
  unsubscribe(topics: string[]): void;
  connect(): void;
  close(): void;
  lastSeq: number | undefined;
  stream: string | undefined;
}
type LiveCtor = new (handlers: { onEvent: (e: { seq: number; type: string }) => void; onReload: () => void; onStatus: (s: string) => void }) => Live;

describe('LiveConnection (server/web/live.js)', () => {
  const saved = { location: (globalThis as Record<string, unknown>).location, WebSocket: (globalThis as Record<string, unknown>).WebSocket };
  let LiveConnection: LiveCtor;
  before(async () => {
    Object.assign(globalThis, { location: { protocol: 'https:', host: 'aetherv.example.com' }, WebSocket: FakeSocket });
    ({ LiveConnection } = (await import(pathToFileURL(join(WEB_ROOT, 'live.js')).href)) as { LiveConnection: LiveCtor });
  });
  after(() => Object.assign(globalThis, saved));

  it('subscribes, follows seq, reconnects with lastSeq, and reloads when told', async () => {
    const events: number[] = [];
    const statuses: string[] = [];
    let reloads = 0;
    const live = new LiveConnection({ onEvent: (e) => events.push(e.seq), onReload: () => { reloads += 1; }, onStatus: (s) => statuses.push(s) });
    live.subscribe(['inventory', 'jobs']);
    live.connect();
    const first = FakeSocket.instances.at(-1)!;
    assert.equal(first.url, 'wss://aetherv.example.com/ws');
    first.open();
    assert.deepEqual(first.sent, [{ action: 'subscribe', topics: ['inventory', 'jobs'] }], 'no lastSeq before the first welcome');
    first.receive({ type: 'welcome', stream: 's1', lastSeq: 10 });
    first.receive({ topic: 'inventory', type: 'vm.updated', seq: 11, data: {} });
    first.receive({ topic: 'jobs', type: 'job.updated', seq: 13, data: {} });
    assert.deepEqual(events, [11, 13]);
    live.subscribe(['jobs:abc']);
    assert.deepEqual(first.sent.at(-1), { action: 'subscribe', topics: ['jobs:abc'], lastSeq: 13, stream: 's1' });

    first.drop();
    assert.equal(statuses.at(-1), 'offline');
    const deadline = Date.now() + 3_000;
    while (FakeSocket.instances.at(-1) === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const second = FakeSocket.instances.at(-1)!;
    assert.notEqual(second, first, 'reconnected by itself');
    second.open();
    second.receive({ type: 'welcome', stream: 's2', lastSeq: 20 });
    assert.deepEqual(second.sent, [{ action: 'subscribe', topics: ['inventory', 'jobs', 'jobs:abc'], lastSeq: 13, stream: 's1' }], 'resumes after the last event it saw, in the stream it saw it in');
    second.receive({ type: 'reload', stream: 's2', lastSeq: 20 });
    assert.equal(live.stream, 's2');
    assert.equal(reloads, 1);
    assert.equal(live.lastSeq, 20);
    second.receive({ topic: 'inventory', type: 'vm.updated', seq: 19, data: {} });
    assert.equal(live.lastSeq, 20, 'an older seq never moves it back');

    live.close();
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(FakeSocket.instances.at(-1), second, 'no reconnection after close()');
  });

  it('stops retrying when the server refuses the connection (1008: signed out)', async () => {
    const statuses: string[] = [];
    const live = new LiveConnection({ onEvent: () => undefined, onReload: () => undefined, onStatus: (s) => statuses.push(s) });
    live.connect();
    const socket = FakeSocket.instances.at(-1)!;
    socket.drop(1008);
    assert.equal(statuses.at(-1), 'denied');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(FakeSocket.instances.at(-1), socket, 'no reconnection');
  });
});
