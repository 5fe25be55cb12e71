// Kerberos/SPNEGO end to end on loopback: a throwaway MIT KDC (krb5-kdc), the simulator
// validating SPNEGO with the service keytab, and our client authenticating from a client
// keytab (KRB5_CLIENT_KTNAME) with no password anywhere in its settings.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKdc, type Kdc } from '../support/kdc.ts';
import { hostName } from '../../simulator/src/host/seed.ts';
import { createWinrmTransport, probeAuthentication } from '../../server/src/remoting/winrm/index.ts';
import { ExchangeLog, settingsFor, startFleetSim, type WinrmSim } from './winrm-harness.ts';

let kdc: Kdc;
let sim: WinrmSim;

before(async () => {
  kdc = await startKdc({ serviceHosts: [hostName(0, 1).toLowerCase()] });
  // MIT krb5 reads these when a context is created: set before the first Kerberos call.
  Object.assign(process.env, kdc.env);
  sim = await startFleetSim({ kerberos: { keytab: kdc.serviceKeytab, servicePrincipalPrefix: 'HTTP' } });
  assert.equal(sim.name.toLowerCase(), hostName(0, 1).toLowerCase());
});
after(async () => {
  await sim?.stop();
  await kdc?.stop();
});

const kerberosSettings = (extra: Parameters<typeof settingsFor>[1] = {}) => {
  const settings = settingsFor(sim, { auth: 'kerberos', delegate: true, ...extra });
  delete settings.winrm.username;
  delete settings.winrm.password;
  return settings;
};

test('Kerberos with a client keytab and no password runs commands on a reused, authenticated connection', async () => {
  const settings = kerberosSettings();
  assert.equal(settings.winrm.password, undefined);
  const log = new ExchangeLog();
  // The service principal is HTTP@<host name>; connect to the sim's loopback address.
  const transport = createWinrmTransport(sim.name.toLowerCase(), settings, { address: sim.address, exchangeCounter: log.counter });
  try {
    const who = await transport.run({ command: 'whoami' });
    assert.equal(who.exitCode, 0);
    assert.match(who.stdout, /alice@aetherv\.test/i);
    const mark = log.mark();
    assert.equal((await transport.run({ command: 'echo again' })).stdout, 'again\r\n');
    assert.deepEqual(log.since(mark).filter((a) => a !== 'Signal'), ['Command', 'Send', 'Receive']);
  } finally {
    await transport.close();
  }
});

test('Kerberos without delegation, and the authentication-only probe', async () => {
  const transport = createWinrmTransport(sim.name.toLowerCase(), kerberosSettings({ delegate: false }), { address: sim.address });
  try {
    assert.equal((await transport.run({ command: 'hostname' })).exitCode, 0);
  } finally {
    await transport.close();
  }
  await probeAuthentication(sim.name.toLowerCase(), kerberosSettings(), { address: sim.address });
});

test('a service principal the KDC does not know fails fast with REMOTE_AUTH', async () => {
  const started = Date.now();
  const transport = createWinrmTransport(sim.name.toLowerCase(), kerberosSettings({ servicePrincipal: 'HTTP@unknown.aetherv.test' }), { address: sim.address });
  try {
    await assert.rejects(transport.run({ command: 'hostname' }), (err: { code?: string; message: string }) => {
      assert.equal(err.code, 'REMOTE_AUTH');
      assert.match(err.message, /HTTP@unknown\.aetherv\.test/);
      return true;
    });
  } finally {
    await transport.close();
  }
  assert.ok(Date.now() - started < 5000);
});
