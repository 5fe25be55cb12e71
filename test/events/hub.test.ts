import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../server/src/events/bus.ts';
import { WebSocketHub, CLOSE_SLOW_CONSUMER, type HubSocket } from '../../server/src/events/hub.ts';
import { LABORATORY_ADMIN } from '../../server/src/auth/principal.ts';

class FakeSocket implements HubSocket {
  bufferedAmount = 0;
  sent: Record<string, unknown>[] = [];
  closed: { code?: number; reason?: string } | undefined;
  pings = 0;
  terminated = false;
  send(data: string) { this.sent.push(JSON.parse(data) as Record<string, unknown>); }
  close(code?: number, reason?: string) { this.closed = { code, reason }; }
  ping() { this.pings++; }
  terminate() { this.terminated = true; }
  events() { return this.sent.filter((m) => typeof m.seq === 'number' && typeof m.topic === 'string'); }
}

describe('event bus and WebSocket hub', () => {
  it('delivers only subscribed topics, in order, with increasing seq', () => {
    const bus = new EventBus();
    const hub = new WebSocketHub(bus, { heartbeatMs: 60_000 });
    const socket = new FakeSocket();
    const h = hub.attach(socket, LABORATORY_ADMIN);
    h.onMessage(JSON.stringify({ action: 'subscribe', topics: ['inventory', 'jobs:abc'] }));
    bus.publish('inventory', 'vm.added', { vmId: '1' });
    bus.publish('hosts', 'host.updated', { name: 'h' });
    bus.publish('jobs:abc', 'job.step', { step: 1 });
    bus.publish('inventory', 'vm.updated', { vmId: '1' });
    const got = socket.events();
    assert.deepEqual(got.map((e) => e.type), ['vm.added', 'job.step', 'vm.updated']);
    assert.deepEqual(got.map((e) => e.seq), [1, 3, 4]);
    h.onMessage(JSON.stringify({ action: 'unsubscribe', topics: ['inventory'] }));
    bus.publish('inventory', 'vm.removed', {});
    assert.equal(socket.events().length, 3);
    hub.close();
  });

  it('replays exactly what a reconnecting client missed, or tells it to reload', () => {
    const bus = new EventBus(5);
    const hub = new WebSocketHub(bus, { heartbeatMs: 60_000 });
    const first = new FakeSocket();
    const a = hub.attach(first, LABORATORY_ADMIN);
    a.onMessage(JSON.stringify({ action: 'subscribe', topics: ['inventory'] }));
    bus.publish('inventory', 'vm.added', { n: 1 });
    const lastSeq = first.events().at(-1)!.seq as number;
    a.onClose();
    bus.publish('inventory', 'vm.updated', { n: 2 });
    bus.publish('hosts', 'host.updated', { n: 3 });
    bus.publish('inventory', 'vm.removed', { n: 4 });
    const second = new FakeSocket();
    const b = hub.attach(second, LABORATORY_ADMIN);
    b.onMessage(JSON.stringify({ action: 'subscribe', topics: ['inventory'], lastSeq }));
    assert.deepEqual(second.events().map((e) => (e.data as { n: number }).n), [2, 4]);
    // Too far behind: the ring (capacity 5) no longer holds what it missed.
    for (let i = 0; i < 10; i++) bus.publish('inventory', 'vm.updated', { n: 100 + i });
    const third = new FakeSocket();
    hub.attach(third, LABORATORY_ADMIN).onMessage(JSON.stringify({ action: 'subscribe', topics: ['inventory'], lastSeq }));
    assert.ok(third.sent.some((m) => m.type === 'reload'));
    assert.equal(third.events().length, 0);
    hub.close();
  });

  it('tells a client whose lastSeq comes from another stream (a restart, another replica) to reload', () => {
    const before = new EventBus();
    before.publish('inventory', 'vm.added', {});
    before.publish('inventory', 'vm.added', {});
    const restarted = new EventBus();
    restarted.publish('inventory', 'vm.updated', {});
    restarted.publish('inventory', 'vm.updated', {});
    restarted.publish('inventory', 'vm.updated', {});
    const hub = new WebSocketHub(restarted, { heartbeatMs: 60_000 });
    const s = new FakeSocket();
    const h = hub.attach(s, LABORATORY_ADMIN);
    assert.equal(s.sent[0]!.stream, restarted.streamId);
    h.onMessage(JSON.stringify({ action: 'subscribe', topics: ['inventory'], lastSeq: 2, stream: before.streamId }));
    assert.ok(s.sent.some((m) => m.type === 'reload' && m.stream === restarted.streamId));
    assert.equal(s.events().length, 0, 'seq 3 of the new stream is not what the client missed');
    const same = new FakeSocket();
    hub.attach(same, LABORATORY_ADMIN).onMessage(JSON.stringify({ action: 'subscribe', topics: ['inventory'], lastSeq: 2, stream: restarted.streamId }));
    assert.deepEqual(same.events().map((e) => e.seq), [3]);
    hub.close();
  });

  it('drops a slow client without affecting the others', () => {
    const bus = new EventBus();
    const hub = new WebSocketHub(bus, { heartbeatMs: 60_000, maxBufferedBytes: 1000 });
    const slow = new FakeSocket();
    const fast = new FakeSocket();
    hub.attach(slow, LABORATORY_ADMIN).onMessage(JSON.stringify({ action: 'subscribe', topics: ['inventory'] }));
    hub.attach(fast, LABORATORY_ADMIN).onMessage(JSON.stringify({ action: 'subscribe', topics: ['inventory'] }));
    slow.bufferedAmount = 5000;
    bus.publish('inventory', 'vm.added', {});
    bus.publish('inventory', 'vm.added', {});
    assert.equal(slow.closed?.code, CLOSE_SLOW_CONSUMER);
    assert.equal(fast.events().length, 2);
    assert.equal(hub.size, 1);
    hub.close();
  });

  it('rejects bad messages and unknown or forbidden topics with an error message', () => {
    const bus = new EventBus();
    const hub = new WebSocketHub(bus, { heartbeatMs: 60_000, canRead: (_p, topic) => topic !== 'notifications' });
    const s = new FakeSocket();
    const h = hub.attach(s, LABORATORY_ADMIN);
    h.onMessage('not json');
    h.onMessage(JSON.stringify({ action: 'subscribe', topics: ['bogus', 'notifications', 'hosts'] }));
    const errors = s.sent.filter((m) => m.type === 'error').map((m) => String(m.message));
    assert.equal(errors.length, 3);
    assert.match(errors[1]!, /unknown topic\(s\): bogus/);
    assert.match(errors[2]!, /not allowed to read: notifications/);
    assert.deepEqual(s.sent.find((m) => m.type === 'subscribed')!.topics, ['hosts']);
    hub.close();
  });

  it('pings every connection and terminates those that never answer', async () => {
    const bus = new EventBus();
    const hub = new WebSocketHub(bus, { heartbeatMs: 20 });
    const alive = new FakeSocket();
    const dead = new FakeSocket();
    const ha = hub.attach(alive, LABORATORY_ADMIN);
    hub.attach(dead, LABORATORY_ADMIN);
    const answer = setInterval(() => ha.onPong(), 5);
    await new Promise((r) => setTimeout(r, 90));
    clearInterval(answer);
    assert.ok(alive.pings >= 2);
    assert.equal(dead.terminated, true);
    assert.equal(alive.terminated, false);
    hub.close();
  });
});
