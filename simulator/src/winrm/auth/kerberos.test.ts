import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import kerberos from 'kerberos';
import { startKdc, type Kdc } from '../../../../test/support/kdc.ts';
import { startEstate, type Estate } from '../../control/estate.ts';
import { testingHost } from '../../control/testing-host.ts';
import { fixture, post, type RawTarget } from '../testing-client.ts';

describe('WinRM Negotiate/Kerberos against a real MIT KDC', () => {
  let kdc: Kdc;
  let estate: Estate;
  let target: RawTarget;
  const host = testingHost('HV-KRB-01');

  before(async () => {
    kdc = await startKdc({ serviceHosts: ['hv-krb-01'] });
    // MIT krb5 reads these when a context is created: client keytab, ccache and config for this process.
    Object.assign(process.env, { KRB5_CONFIG: kdc.env['KRB5_CONFIG'], KRB5_CLIENT_KTNAME: kdc.clientKeytab, KRB5CCNAME: kdc.env['KRB5CCNAME'] });
    estate = await startEstate([host], {
      addressBase: '127.0.20.70', caFile: `${kdc.dir}/ca.pem`, ports: { winrm: 0, winrmHttps: 0, ssh: 0 },
      username: 'labadmin', password: 'unused-here', allowUnencrypted: false, authorizedKeys: [], domainName: 'AETHERV',
      kerberos: { keytab: kdc.serviceKeytab, servicePrincipalPrefix: 'HTTP' },
    });
    const row = estate.rows()[0]!;
    target = {
      url: `https://${row.address}:${row.winrmHttpsPort}/wsman`,
      ca: readFileSync(`${kdc.dir}/ca.pem`, 'utf8'),
      agent: new https.Agent({ keepAlive: true, maxSockets: 1, ca: readFileSync(`${kdc.dir}/ca.pem`, 'utf8') }),
    };
  });
  after(async () => {
    (target?.agent as https.Agent | undefined)?.destroy();
    await estate?.stop();
    await kdc?.stop();
  });

  it('accepts a SPNEGO token obtained with a client keytab, answers mutual authentication, and keeps the connection authenticated', async () => {
    const client = await kerberos.initializeClient('HTTP@hv-krb-01', { mechOID: kerberos.GSS_MECH_OID_SPNEGO });
    const token = await client.step('');
    const res = await post(target, fixture('open_shell_request.xml'), `Negotiate ${token}`);
    assert.equal(res.status, 200, res.body);
    const reply = String(res.headers['www-authenticate'] ?? '');
    assert.match(reply, /^Negotiate \S+/);
    await client.step(reply.slice('Negotiate '.length));
    assert.equal(client.contextComplete, true, 'the server proved its identity (mutual authentication)');
    assert.equal(host.commands.spawned.length, 0);

    const shellId = /Name="ShellId">([^<]+)</.exec(res.body)?.[1] ?? '';
    const again = await post(target, fixture('close_shell_request.xml').replace(/11111111-1111-1111-1111-111111111113/, shellId));
    assert.equal(again.status, 200, 'the keep-alive connection stays authenticated as alice, who owns the shell');
  });

  it('refuses a garbage token and a fresh connection without credentials', async () => {
    const bad = await post({ url: target.url, ca: target.ca! }, fixture('open_shell_request.xml'), `Negotiate ${Buffer.from('not a token').toString('base64')}`);
    assert.equal(bad.status, 401);
    const none = await post({ url: target.url, ca: target.ca! }, fixture('open_shell_request.xml'));
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /Kerberos/);
  });
});
