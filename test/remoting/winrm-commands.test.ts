// WinRM transport against the simulator's listeners in front of its testing command set:
// exit codes and stderr, deadlines and cancellation, and a retried shell creation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWinrmTransport } from '../../server/src/remoting/winrm/index.ts';
import { ExchangeLog, settingsFor, startCommandSim, tick } from './winrm-harness.ts';

let sim: Awaited<ReturnType<typeof startCommandSim>>;
before(async () => { sim = await startCommandSim(); });
after(async () => { await sim.stop(); });

test('exit code and stderr come back; the command line reaches the host as sent', async () => {
  const transport = createWinrmTransport(sim.name, settingsFor(sim), { address: sim.address });
  try {
    const failed = await transport.run({ command: 'fail 3' });
    assert.equal(failed.exitCode, 3);
    assert.equal(failed.stderr, 'something failed\r\n');
    assert.equal(sim.spawned.at(-1)?.commandLine, 'fail 3');
  } finally {
    await transport.close();
  }
});

test('the shell environment reaches commands', async () => {
  const transport = createWinrmTransport(sim.name, settingsFor(sim), { address: sim.address, environment: { AETHERV_MODE: 'test & <check>' } });
  try {
    assert.equal((await transport.run({ command: 'env AETHERV_MODE' })).stdout, 'test & <check>\r\n');
  } finally {
    await transport.close();
  }
});

test('a deadline terminates the remote command and rejects with REMOTE_TIMEOUT; abort gives REMOTE_CANCELLED', async () => {
  const log = new ExchangeLog();
  const transport = createWinrmTransport(sim.name, settingsFor(sim), { address: sim.address, exchangeCounter: log.counter });
  try {
    const started = Date.now();
    await assert.rejects(transport.run({ command: 'sleep 10000', timeoutMs: 400 }), { code: 'REMOTE_TIMEOUT' });
    assert.ok(Date.now() - started < 2000, 'rejected promptly');
    await tick(200);
    assert.equal(log.count('Signal'), 1, 'terminate signal sent');
    const controller = new AbortController();
    const pending = transport.run({ command: 'sleep 10000', signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(pending, { code: 'REMOTE_CANCELLED' });
    // The shell is still good afterwards.
    assert.equal((await transport.run({ command: 'echo ok' })).stdout, 'ok\r\n');
    assert.equal(log.count('Create'), 1);
  } finally {
    await transport.close();
  }
});

test('a connection dropped during shell creation is retried transparently', async () => {
  const log = new ExchangeLog();
  let dropNext = true;
  const transport = createWinrmTransport(sim.name, settingsFor(sim), {
    address: sim.address,
    exchangeCounter: (action) => {
      log.counter(action);
      // Drop exactly the first Create (the fault applies before the request is sent).
      if (action === 'Create' && dropNext) { dropNext = false; void sim.setFaults({ dropRate: 1 }); } else void sim.setFaults({});
    },
  });
  try {
    assert.equal((await transport.run({ command: 'echo retried' })).stdout, 'retried\r\n');
    assert.deepEqual(log.since(0).slice(0, 5), ['Create', 'Create', 'Command', 'Send', 'Receive']);
  } finally {
    await sim.setFaults({});
    await transport.close();
  }
});
