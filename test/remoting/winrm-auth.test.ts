// Authentication and channel security end to end: Basic over HTTPS (sim CA) and over HTTP only
// when allowed, NTLM, TLS verification, wrong credentials, and the doctor probes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWinrmTransport, probeAuthentication, probeShell } from '../../server/src/remoting/winrm/index.ts';
import type { ExchangeLog} from './winrm-harness.ts';
import { settingsFor, startFleetSim, type WinrmSim } from './winrm-harness.ts';

let sim: WinrmSim;
before(async () => { sim = await startFleetSim(); });
after(async () => { await sim.stop(); });

const whoami = () => `${sim.name.toLowerCase()}\\${sim.username.toLowerCase()}\r\n`;

async function hostname(settings: ReturnType<typeof settingsFor>, log?: ExchangeLog): Promise<string> {
  const transport = createWinrmTransport(sim.name, settings, { address: sim.address, ...(log ? { exchangeCounter: log.counter } : {}) });
  try {
    return (await transport.run({ command: 'whoami' })).stdout;
  } finally {
    await transport.close();
  }
}

test('Basic over HTTPS trusting the simulator CA', async () => {
  assert.equal(await hostname(settingsFor(sim)), whoami());
});

test('plain HTTP is refused without allowUnencrypted, works with it; Kerberos never over HTTP', async () => {
  assert.throws(() => createWinrmTransport(sim.name, settingsFor(sim, { useTls: false }), { address: sim.address }), (err: { code?: string; message: string }) => {
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /WINRM_ALLOW_UNENCRYPTED/);
    return true;
  });
  assert.equal(await hostname(settingsFor(sim, { useTls: false, allowUnencrypted: true })), whoami());
  assert.throws(() => createWinrmTransport(sim.name, settingsFor(sim, { useTls: false, allowUnencrypted: true, auth: 'kerberos' })), /message encryption/);
});

test('NTLM over HTTPS, with the authenticated connection reused across calls', async () => {
  assert.equal(await hostname(settingsFor(sim, { auth: 'ntlm' })), whoami());
  const transport = createWinrmTransport(sim.name, settingsFor(sim, { auth: 'ntlm', username: `AETHERV\\${sim.username}` }), { address: sim.address });
  try {
    for (let i = 0; i < 3; i += 1) assert.equal((await transport.run({ command: `echo n${i}` })).stdout, `n${i}\r\n`);
    // Concurrent calls each take their own connection, each authenticated by its own handshake.
    const parallel = await Promise.all([0, 1, 2, 3].map((i) => transport.run({ command: `echo p${i}` })));
    assert.deepEqual(parallel.map((r) => r.stdout), ['p0\r\n', 'p1\r\n', 'p2\r\n', 'p3\r\n']);
  } finally {
    await transport.close();
  }
});

test('wrong credentials give REMOTE_AUTH at once (Basic, NTLM), never a hang', async () => {
  for (const auth of ['basic', 'ntlm'] as const) {
    const started = Date.now();
    await assert.rejects(hostname(settingsFor(sim, { auth, password: 'Wr0ng-Pa55-xyz' })), (err: { code?: string; message: string }) => {
      assert.equal(err.code, 'REMOTE_AUTH', auth);
      assert.doesNotMatch(err.message, /Wr0ng-Pa55-xyz/);
      return true;
    });
    assert.ok(Date.now() - started < 2000, `${auth} rejected promptly`);
  }
  await sim.setFaults({ authFailure: true });
  try {
    await assert.rejects(hostname(settingsFor(sim)), { code: 'REMOTE_AUTH' });
  } finally {
    await sim.setFaults({});
  }
});

test('TLS is verified: an unknown CA is REMOTE_TLS unless verification is explicitly skipped', async () => {
  const noCa = settingsFor(sim);
  delete noCa.winrm.caFile;
  await assert.rejects(hostname(noCa), { code: 'REMOTE_TLS' });
  assert.equal(await hostname({ ...noCa, winrm: { ...noCa.winrm, insecureSkipTlsVerify: true } }), whoami());
});

test('doctor probes: authentication only, and shell open/close', async () => {
  await probeAuthentication(sim.name, settingsFor(sim), { address: sim.address });
  await probeAuthentication(sim.name, settingsFor(sim, { auth: 'ntlm' }), { address: sim.address });
  await assert.rejects(probeAuthentication(sim.name, settingsFor(sim, { password: 'nope' }), { address: sim.address }), { code: 'REMOTE_AUTH' });
  const { shellId } = await probeShell(sim.name, settingsFor(sim), { address: sim.address });
  assert.match(shellId, /^[0-9A-F-]{36}$/i);
  await assert.rejects(probeShell(sim.name, { ...settingsFor(sim), winrm: { ...settingsFor(sim).winrm, port: 1 } }, { address: sim.address }), { code: 'REMOTE_CONNECT' });
});
