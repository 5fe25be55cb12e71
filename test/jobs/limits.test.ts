/** Engine limits: FIFO semaphore, aborted waiters leave no leaked permit, per-host slot parsing. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HostSlots, Semaphore, parseHostSlots } from '../../server/src/jobs/limits.ts';

describe('job limits', () => {
  it('hands permits to waiters in order, and an aborted waiter takes none', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const order: string[] = [];
    const controller = new AbortController();
    const aborted = s.acquire(controller.signal).then(() => order.push('aborted one got it'), () => order.push('gave up'));
    const second = s.acquire().then(() => order.push('second'));
    const third = s.acquire().then(() => order.push('third'));
    controller.abort();
    await aborted;
    s.release();
    await second;
    assert.deepEqual(order, ['gave up', 'second']);
    s.release();
    await third;
    s.release();
    assert.equal(s.inUse, 0);
    assert.equal(s.waiting, 0);
  });

  it('parses JOB_HOST_SLOTS and gives unnamed resources one slot per host, per host', async () => {
    assert.deepEqual(parseHostSlots('image.copy=2, vm.create=4,bad,x=0'), { 'image.copy': 2, 'vm.create': 4 });
    const slots = new HostSlots({ 'image.copy': 2 });
    assert.equal(slots.usage('HV01', 'image.copy').capacity, 2);
    assert.equal(slots.usage('HV01', 'other').capacity, 1);
    let inside = 0;
    let max = 0;
    const work = () => slots.run('hv01', 'other', async () => { inside++; max = Math.max(max, inside); await new Promise((r) => setTimeout(r, 5)); inside--; });
    await Promise.all([work(), work(), slots.run('HV01', 'other', async () => { inside++; max = Math.max(max, inside); await new Promise((r) => setTimeout(r, 5)); inside--; })]);
    assert.equal(max, 1, 'host names are compared case-insensitively');
  });
});
