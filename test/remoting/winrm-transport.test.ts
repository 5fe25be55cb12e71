// WinRM transport end to end against the simulator (startSimulator) over HTTPS with Basic and its CA.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWinrmTransport } from '../../server/src/remoting/winrm/index.ts';
import { ExchangeLog, settingsFor, startFleetSim, tick, type WinrmSim } from './winrm-harness.ts';

let sim: WinrmSim;
before(async () => { sim = await startFleetSim(); });
after(async () => { await sim.stop(); });

test('a call runs the command and streams its stdout lines', async () => {
  const transport = createWinrmTransport(sim.name, settingsFor(sim), { address: sim.address });
  try {
    const lines: string[] = [];
    const result = await transport.run({ command: 'hostname', onStdoutLine: (l) => lines.push(l) });
    assert.deepEqual(result, { exitCode: 0, stdout: `${sim.name}\r\n`, stderr: '' });
    assert.deepEqual(lines, [sim.name]);
    const unknown = await transport.run({ command: 'nosuchtool /x' });
    assert.equal(unknown.exitCode, 1);
    assert.match(unknown.stderr, /'nosuchtool' is not recognized/);
  } finally {
    await transport.close();
  }
});

test('on a reused shell a call is Command, Send and Receive only; Signal follows without delaying it', async () => {
  const log = new ExchangeLog();
  const transport = createWinrmTransport(sim.name, settingsFor(sim), { address: sim.address, exchangeCounter: log.counter });
  try {
    await transport.run({ command: 'echo first' });
    assert.deepEqual(log.since(0), ['Create', 'Command', 'Send', 'Receive']);
    const shell = await transport.currentShellId();
    await tick();
    assert.deepEqual(log.since(4), ['Signal']);

    const mark = log.mark();
    const result = await transport.run({ command: 'echo second', stdin: 'ignored' });
    assert.equal(result.stdout, 'second\r\n');
    assert.deepEqual(log.since(mark), ['Command', 'Send', 'Receive']);
    assert.equal(await transport.currentShellId(), shell);
    await tick();
    assert.deepEqual(log.since(mark), ['Command', 'Send', 'Receive', 'Signal']);
    assert.equal(log.count('Create'), 1);
  } finally {
    await transport.close();
  }
  assert.equal(log.actions.at(-1), 'Delete');
});

test('a 300 KB stdin goes through `more` intact, in one or several Sends', async () => {
  const lines = Array.from({ length: 4000 }, (_, i) => `${i.toString().padStart(6, '0')} ${'abcdefghijklmnopqrstuvwxyz'.repeat(3)}`);
  const input = `${lines.join('\n')}\n`;
  assert.ok(input.length > 300_000);
  for (const maxEnvelopeSize of [512_000, 65_536]) {
    const log = new ExchangeLog();
    const transport = createWinrmTransport(sim.name, settingsFor(sim, { maxEnvelopeSize }), { address: sim.address, exchangeCounter: log.counter });
    try {
      const seen: string[] = [];
      const result = await transport.run({ command: 'more', stdin: Buffer.from(input), onStdoutLine: (l) => seen.push(l) });
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout, input);
      assert.deepEqual(seen, lines);
      const sends = log.count('Send');
      if (maxEnvelopeSize === 65_536) assert.ok(sends >= 5, `${sends} Sends`);
      else assert.equal(sends, 1);
    } finally {
      await transport.close();
    }
  }
});

test('several concurrent calls share one shell', async () => {
  const log = new ExchangeLog();
  const transport = createWinrmTransport(sim.name, settingsFor(sim), { address: sim.address, exchangeCounter: log.counter });
  try {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => transport.run({ command: `echo call-${i}` })));
    assert.deepEqual(results.map((r) => r.stdout), Array.from({ length: 6 }, (_, i) => `call-${i}\r\n`));
    assert.equal(log.count('Create'), 1);
  } finally {
    await transport.close();
  }
});
