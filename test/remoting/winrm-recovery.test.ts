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

test('under a 30% drop rate every call either returns the right output or fails typed, never hangs or mixes output', async () => {
  const transport = createWinrmTransport(sim.name, settingsFor(sim), { address: sim.address });
  try {
    await sim.setFaults({ dropRate: 0.3 });
    const outcomes = await Promise.all(Array.from({ length: 16 }, async (_, i) => {
      try {
        const result = await transport.run({ command: `echo drop-${i}`, timeoutMs: 15_000 });
        assert.equal(result.stdout, `drop-${i}\r\n`);
        return 'ok';
      } catch (err) {
        const code = (err as { code?: string }).code ?? String(err);
        assert.ok(['REMOTE_CONNECTION_DROPPED', 'REMOTE_CONNECT'].includes(code), code);
        return code;
      }
    }));
    assert.equal(outcomes.length, 16);
    await sim.setFaults({});
    assert.equal((await transport.run({ command: 'echo calm' })).stdout, 'calm\r\n');
  } finally {
    await sim.setFaults({});
    await transport.close();
  }
});

test('a full shell quota is REMOTE_SHELL_QUOTA, and the shell is created once the quota frees', async () => {
  const small = await startFleetSim({ maxShellsPerUser: 1 });
  const first = createWinrmTransport(small.name, settingsFor(small), { address: small.address });
  const second = createWinrmTransport(small.name, settingsFor(small), { address: small.address });
  try {
    await first.run({ command: 'echo holds-the-shell' });
    await assert.rejects(second.run({ command: 'echo no-room' }), (err: { code?: string; message: string }) => {
      assert.equal(err.code, 'REMOTE_SHELL_QUOTA');
      assert.match(err.message, /MaxShellsPerUser/);
      return true;
    });
    await first.close();
    assert.equal((await second.run({ command: 'echo room' })).stdout, 'room\r\n');
  } finally {
    await first.close();
    await second.close();
    await small.stop();
  }
});
