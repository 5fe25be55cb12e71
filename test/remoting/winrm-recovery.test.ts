// The WinRM transport recovers from dropped connections, a host restart and a deleted shell
// (simulator faults and down/up through its control API).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWinrmTransport } from '../../server/src/remoting/winrm/index.ts';
import { ExchangeLog, settingsFor, startFleetSim, type WinrmSim } from './winrm-harness.ts';

let sim: WinrmSim;
before(async () => { sim = await startFleetSim(); });
after(async () => { await sim.stop(); });

test('dropped connections fail the call fast with REMOTE_CONNECTION_DROPPED, and the next call recovers', async () => {
  const log = new ExchangeLog();
  const transport = createWinrmTransport(sim.name, settingsFor(sim), { address: sim.address, exchangeCounter: log.counter });
  try {
    assert.equal((await transport.run({ command: 'echo before' })).stdout, 'before\r\n');
    await sim.setFaults({ dropRate: 1 });
    const started = Date.now();
    await assert.rejects(transport.run({ command: 'echo during' }), (err: { code?: string; retryable?: boolean }) => {
      assert.equal(err.code, 'REMOTE_CONNECTION_DROPPED');
      assert.equal(err.retryable, true);
      return true;
    });
    assert.ok(Date.now() - started < 3000);
    await sim.setFaults({});
    assert.equal((await transport.run({ command: 'echo after' })).stdout, 'after\r\n');
  } finally {
    await sim.setFaults({});
    await transport.close();
  }
});

test('after the host goes down (shells lost) and comes back, calls work again on a new shell', async () => {
  const log = new ExchangeLog();
  const transport = createWinrmTransport(sim.name, settingsFor(sim), { address: sim.address, exchangeCounter: log.counter });
  try {
    await transport.run({ command: 'echo up' });
    const firstShell = await transport.currentShellId();
    await sim.down();
    await assert.rejects(transport.run({ command: 'echo down' }), (err: { code?: string }) => ['REMOTE_CONNECT', 'REMOTE_CONNECTION_DROPPED'].includes(err.code ?? ''));
    await sim.up();
    assert.equal((await transport.run({ command: 'echo back' })).stdout, 'back\r\n');
    assert.notEqual(await transport.currentShellId(), firstShell);
    assert.equal(log.count('Create'), 2);
  } finally {
    await sim.up();
    await transport.close();
  }
});

test('a shell deleted behind our back is recreated and the call retried once', async () => {
  const log = new ExchangeLog();
  const settings = settingsFor(sim);
  const transport = createWinrmTransport(sim.name, settings, { address: sim.address, exchangeCounter: log.counter });
  try {
    await transport.run({ command: 'echo one' });
    const shellId = await transport.currentShellId();
    assert.ok(shellId);
    await transport.client.deleteShell(shellId);
    const mark = log.mark();
    assert.equal((await transport.run({ command: 'echo two' })).stdout, 'two\r\n');
    const during = log.since(mark).filter((a) => a !== 'Signal');
    assert.deepEqual(during, ['Command', 'Create', 'Command', 'Send', 'Receive']);
    assert.notEqual(await transport.currentShellId(), shellId);
  } finally {
    await transport.close();
  }
});
