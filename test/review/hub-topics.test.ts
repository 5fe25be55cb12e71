// Review: one WebSocket client cannot grow its subscription set without end (every jobs:<id>
// is a valid topic), and error messages do not echo its whole message back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../server/src/events/bus.ts';
import { WebSocketHub, type HubSocket } from '../../server/src/events/hub.ts';
import { LABORATORY_ADMIN } from '../../server/src/auth/principal.ts';

class FakeSocket implements HubSocket {
  bufferedAmount = 0;
  sent: Record<string, unknown>[] = [];
  send(data: string) { this.sent.push(JSON.parse(data) as Record<string, unknown>); }
  close() {}
  ping() {}
  terminate() {}
}

test('subscriptions per connection are capped; the refusal is an error message, not silence', () => {
  const bus = new EventBus();
  const hub = new WebSocketHub(bus, { heartbeatMs: 60_000 });
  const socket = new FakeSocket();
  const h = hub.attach(socket, LABORATORY_ADMIN);
  for (let batch = 0; batch < 20; batch++) {
    h.onMessage(JSON.stringify({ action: 'subscribe', topics: Array.from({ length: 500 }, (_, i) => `jobs:${batch}-${i}`) }));
  }
  const subscribed = socket.sent.filter((m) => m.type === 'subscribed').at(-1)!.topics as string[];
  assert.ok(subscribed.length <= 1000, `one connection holds ${subscribed.length} topics`);
  const refusal = socket.sent.find((m) => m.type === 'error' && /at most \d+ topics/.test(String(m.message)));
  assert.ok(refusal, 'the client is told why');
  assert.ok(String(refusal.message).length < 1000, 'the refusal does not echo every topic back');
  // Already-held topics and unsubscribing still work at the cap.
  h.onMessage(JSON.stringify({ action: 'unsubscribe', topics: [subscribed[0]] }));
  h.onMessage(JSON.stringify({ action: 'subscribe', topics: ['inventory', subscribed[1]] }));
  const after = socket.sent.filter((m) => m.type === 'subscribed').at(-1)!.topics as string[];
  assert.ok(after.includes('inventory') && after.includes(subscribed[1]!));
  bus.publish('inventory', 'vm.added', {});
  assert.ok(socket.sent.some((m) => m.type === 'vm.added'));
  hub.close();
});

test('unknown topics are echoed back only in part', () => {
  const bus = new EventBus();
  const hub = new WebSocketHub(bus, { heartbeatMs: 60_000 });
  const socket = new FakeSocket();
  hub.attach(socket, LABORATORY_ADMIN).onMessage(JSON.stringify({ action: 'subscribe', topics: Array.from({ length: 2000 }, (_, i) => `nope-${'x'.repeat(20)}-${i}`) }));
  const error = socket.sent.find((m) => m.type === 'error')!;
  assert.match(String(error.message), /unknown topic/);
  assert.ok(String(error.message).length < 1000, `error of ${String(error.message).length} characters`);
  hub.close();
});
