import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEstate, type Estate } from '../control/estate.ts';
import { testingHost } from '../control/testing-host.ts';
import { basic, fillRequest, fixture, parse, post, shape, type RawTarget } from './testing-client.ts';

const run = promisify(execFile);
const USER = 'labadmin';
const PASSWORD = 'S3cret-pässword!';

/** Debian's python3 (a pyenv one first on PATH cannot import Debian's winrm). */
async function pywinrm(script: string): Promise<string> {
  try {
    const { stdout } = await run('/usr/bin/python3', ['-c', script], { timeout: 40_000 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`pywinrm failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
  }
}

function selector(xml: string, name: string): string {
  return new RegExp(`Name="${name}">([^<]+)<`).exec(xml)?.[1] ?? '';
}

describe('WinRM endpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-winrm-'));
  const caFile = join(dir, 'ca.pem');
  const host = testingHost('HV-TEST-01');
  let estate: Estate;
  let http: RawTarget;
  const auth = basic(USER, PASSWORD);

  before(async () => {
    estate = await startEstate([host], {
      addressBase: '127.0.20.1', caFile, ports: { winrm: 0, winrmHttps: 0, ssh: 0 }, username: USER, password: PASSWORD,
      allowUnencrypted: true, authorizedKeys: [], domainName: 'LAB', maxShellsPerUser: 3, idleTimeoutMs: 400, maxEnvelopeSizeKb: 150,
    });
    const row = estate.rows()[0]!;
    http = { url: `http://${row.address}:${row.winrmPort}/wsman` };
  });
  after(async () => {
    await estate.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets pywinrm run hostname over HTTP with Basic, over HTTPS verifying the CA, and with NTLM over HTTPS', async () => {
    const row = estate.rows()[0]!;
    const out = await pywinrm(`
import winrm
def run(endpoint, transport, **kw):
    r = winrm.Session(endpoint, auth=(${JSON.stringify(USER)}, ${JSON.stringify(PASSWORD)}), transport=transport, **kw).run_cmd('hostname')
    print(transport, endpoint.split(':')[0], r.status_code, r.std_out.decode().strip())
run('http://${row.address}:${row.winrmPort}/wsman', 'basic')
run('https://${row.address}:${row.winrmHttpsPort}/wsman', 'basic', server_cert_validation='validate', ca_trust_path=${JSON.stringify(caFile)})
run('https://${row.address}:${row.winrmHttpsPort}/wsman', 'ntlm', server_cert_validation='validate', ca_trust_path=${JSON.stringify(caFile)})
try:
    run('https://${row.address}:${row.winrmHttpsPort}/wsman', 'basic', server_cert_validation='validate', ca_trust_path='/etc/ssl/certs/ca-certificates.crt')
except Exception as e:
    print('untrusted', 'SSL' in type(e).__name__ or 'CERTIFICATE_VERIFY_FAILED' in str(e))
try:
    winrm.Session('https://${row.address}:${row.winrmHttpsPort}/wsman', auth=(${JSON.stringify(USER)}, 'wrong'), transport='ntlm', server_cert_validation='validate', ca_trust_path=${JSON.stringify(caFile)}).run_cmd('hostname')
except Exception as e:
    print('ntlm-wrong', type(e).__name__)
`);
    assert.deepEqual(out.trim().split('\n'), [
      'basic http 0 HV-TEST-01',
      'basic https 0 HV-TEST-01',
      'ntlm https 0 HV-TEST-01',
      'untrusted True',
      'ntlm-wrong InvalidCredentialsError',
    ]);
  });

  it('answers the fixture requests in the shapes Windows uses', async () => {
    const created = await post(http, fixture('open_shell_request.xml'), auth);
    assert.equal(created.status, 200);
    assert.match(String(created.headers['content-type']), /^application\/soap\+xml/);
    assert.deepEqual(shape(created.body), shape(fixture('open_shell_response.xml')));
    const shellId = selector(created.body, 'ShellId');
    assert.match(shellId, /^[0-9A-F-]{36}$/);

    const command = await post(http, fillRequest(fixture('run_cmd_with_args_request.xml'), { shellId }).replace('<rsp:Command>ipconfig</rsp:Command>', '<rsp:Command>more</rsp:Command>'), auth);
    assert.deepEqual(shape(command.body), shape(fixture('run_cmd_req_input_response.xml')));
    const commandId = /<rsp:CommandId>([^<]+)</.exec(command.body)?.[1] ?? '';
    assert.equal(host.commands.spawned.at(-1)?.commandLine, 'more /all');
    assert.equal(host.commands.spawned.at(-1)?.context.env?.['WINRS_CONSOLEMODE_STDIN'], 'TRUE');

    const input = Buffer.from('hello from stdin\r\n').toString('base64');
    const sent = await post(http, fillRequest(fixture('run_cmd_send_input.xml'), { shellId, commandId, stdin: input, end: true }), auth);
    assert.equal(sent.status, 200);
    assert.deepEqual(shape(sent.body), shape(fixture('run_cmd_send_input_response.xml')));

    let output = '';
    let done = false;
    for (let i = 0; i < 10 && !done; i++) {
      const received = await post(http, fillRequest(fixture('get_cmd_ps_output_request.xml'), { shellId, commandId }), auth);
      assert.equal(received.status, 200, received.body);
      for (const m of received.body.matchAll(/Name="stdout"[^>]*>([^<]+)</g)) output += Buffer.from(m[1]!, 'base64').toString();
      done = received.body.includes('CommandState/Done');
      if (done) {
        assert.deepEqual(shape(received.body), shape(fixture('get_cmd_output_response.xml')));
        assert.match(received.body, /<rsp:ExitCode>0<\/rsp:ExitCode>/);
      }
    }
    assert.equal(output, 'hello from stdin\r\n');

    const signalled = await post(http, fillRequest(fixture('cleanup_cmd_request.xml'), { shellId, commandId }), auth);
    assert.deepEqual(shape(signalled.body), shape(fixture('cleanup_cmd_response.xml')));
    const deleted = await post(http, fillRequest(fixture('close_shell_request.xml'), { shellId }), auth);
    assert.deepEqual(shape(deleted.body), shape(fixture('close_shell_response.xml')));
    const again = await post(http, fillRequest(fixture('close_shell_request.xml'), { shellId }), auth);
    assert.equal(again.status, 500);
  });

  it('faults an unknown ShellId with the Windows code and a WSManFault detail', async () => {
    const res = await post(http, fillRequest(fixture('close_shell_request.xml'), { shellId: '00000000-0000-0000-0000-000000000000' }), auth);
    assert.equal(res.status, 500);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking a parsed XML tree
    const fault = (parse(res.body)['Envelope'] as any)['Body']['Fault'];
    assert.equal(fault['Code']['Value'], 's:Sender');
    assert.equal(fault['Code']['Subcode']['Value'], 'w:InvalidSelectors');
    assert.equal(fault['Detail']['WSManFault']['@Code'], '2150858843');
    assert.equal(fault['Detail']['WSManFault']['@Machine'], 'HV-TEST-01');
    assert.match(fault['Detail']['WSManFault']['Message'], /00000000-0000-0000-0000-000000000000.*not found/);
    assert.match(res.body, /<a:RelatesTo>uuid:11111111-1111-1111-1111-111111111111<\/a:RelatesTo>/);
  });

  it('waits up to OperationTimeout, then answers w:TimedOut as Windows does; output arrives on a later Receive', async () => {
    const shellId = selector((await post(http, fixture('open_shell_request.xml'), auth)).body, 'ShellId');
    const cmd = await post(http, fillRequest(fixture('run_cmd_wo_args_request.xml'), { shellId }).replace(/<rsp:Command>[^<]*<\/rsp:Command>/, '<rsp:Command>sleep 1200</rsp:Command>'), auth);
    const commandId = /<rsp:CommandId>([^<]+)</.exec(cmd.body)?.[1] ?? '';
    const started = Date.now();
    const timedOut = await post(http, fillRequest(fixture('get_cmd_ps_output_request.xml'), { shellId, commandId, timeout: 'PT0.300S' }), auth);
    const waited = Date.now() - started;
    assert.equal(timedOut.status, 500);
    assert.ok(waited >= 280 && waited < 1100, `waited ${waited} ms`);
    assert.deepEqual(shape(timedOut.body), shape(fixture('fault_wsman_fault_known_fault.xml')));
    assert.match(timedOut.body, /Code="2150858793"/);
    assert.match(timedOut.body, /<s:Value>w:TimedOut<\/s:Value>/);
    const later = await post(http, fillRequest(fixture('get_cmd_ps_output_request.xml'), { shellId, commandId, timeout: 'PT5S' }), auth);
    assert.equal(later.status, 200);
    assert.match(later.body, /CommandState\/Done/);

    // Signal terminate stops a running command at once, and the command is gone afterwards.
    const second = await post(http, fillRequest(fixture('run_cmd_wo_args_request.xml'), { shellId }).replace(/<rsp:Command>[^<]*<\/rsp:Command>/, '<rsp:Command>sleep 60000</rsp:Command>'), auth);
    const secondId = /<rsp:CommandId>([^<]+)</.exec(second.body)?.[1] ?? '';
    const signalled = await post(http, fillRequest(fixture('cleanup_cmd_request.xml'), { shellId, commandId: secondId }), auth);
    assert.equal(signalled.status, 200);
    assert.equal(host.commands.spawned.at(-1)?.terminated, true);
    const after = await post(http, fillRequest(fixture('get_cmd_ps_output_request.xml'), { shellId, commandId: secondId }), auth);
    assert.equal(after.status, 500);
    await post(http, fillRequest(fixture('close_shell_request.xml'), { shellId }), auth);
  });

  it('refuses wrong credentials with 401 at once, and Basic over HTTP when unencrypted traffic is not allowed', async () => {
    const started = Date.now();
    const res = await post(http, fixture('open_shell_request.xml'), basic(USER, 'not-the-password'));
    assert.equal(res.status, 401);
    assert.ok(Date.now() - started < 1000);
    const offers = res.rawHeaders.filter((_v, i) => i % 2 === 1 && /^www-authenticate$/i.test(res.rawHeaders[i - 1]!));
    assert.deepEqual(offers, ['Negotiate', 'Basic realm="WSMAN"']);
    const none = await post(http, fixture('open_shell_request.xml'));
    assert.equal(none.status, 401);

    const other = await startEstate([testingHost('HV-TEST-02')], {
      addressBase: '127.0.20.10', caFile: join(dir, 'ca2.pem'), ports: { winrm: 0, winrmHttps: 0, ssh: 0 }, username: USER, password: PASSWORD,
      allowUnencrypted: false, authorizedKeys: [], domainName: 'LAB',
    });
    try {
      const row = other.rows()[0]!;
      const plain = await post({ url: `http://${row.address}:${row.winrmPort}/wsman` }, fixture('open_shell_request.xml'), auth);
      assert.equal(plain.status, 401);
      const tls = await post({ url: `https://${row.address}:${row.winrmHttpsPort}/wsman`, ca: (await import('node:fs')).readFileSync(join(dir, 'ca2.pem'), 'utf8') }, fixture('open_shell_request.xml'), auth);
      assert.equal(tls.status, 200);
    } finally {
      await other.stop();
    }
  });

  it('applies authFailure and dropRate faults', async () => {
    host.faults = { ...host.faults, authFailure: true };
    assert.equal((await post(http, fixture('open_shell_request.xml'), auth)).status, 401);
    host.faults = { ...host.faults, authFailure: false, dropRate: 1 };
    await assert.rejects(post(http, fixture('open_shell_request.xml'), auth), /socket hang up|ECONNRESET/);
    host.faults = { ...host.faults, dropRate: 0 };
    assert.equal((await post(http, fixture('open_shell_request.xml'), auth)).status, 200);
    host.commands.spawned.length = 0;
  });

  it('enforces MaxShellsPerUser with the Windows quota fault and expires idle shells', async () => {
    const ids: string[] = [];
    let quota;
    for (let i = 0; i < 5; i++) {
      const res = await post(http, fixture('open_shell_request.xml'), auth);
      if (res.status === 200) ids.push(selector(res.body, 'ShellId'));
      else { quota = res; break; }
    }
    assert.ok(quota, 'a shell beyond the quota was refused');
    assert.ok(ids.length <= 3);
    assert.match(quota.body, /w:QuotaLimit/);
    assert.match(quota.body, /Code="2150859173"/);
    // IdleTimeout is 400 ms here: the shells expire and the quota frees up.
    await new Promise((r) => setTimeout(r, 800));
    const gone = await post(http, fillRequest(fixture('close_shell_request.xml'), { shellId: ids[0]! }), auth);
    assert.match(gone.body, /Code="2150858843"/);
    assert.equal((await post(http, fixture('open_shell_request.xml'), auth)).status, 200);
  });

  it('carries 300 KB of stdin in chunks and refuses an envelope beyond MaxEnvelopeSize', async () => {
    const shellId = selector((await post(http, fixture('open_shell_request.xml'), auth)).body, 'ShellId');
    const cmd = await post(http, fillRequest(fixture('run_cmd_wo_args_request.xml'), { shellId }).replace(/<rsp:Command>[^<]*<\/rsp:Command>/, '<rsp:Command>more</rsp:Command>'), auth);
    const commandId = /<rsp:CommandId>([^<]+)</.exec(cmd.body)?.[1] ?? '';
    const payload = Buffer.alloc(300 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = 32 + (i * 7) % 90;
    const chunk = 64 * 1024;
    for (let at = 0; at < payload.length; at += chunk) {
      const part = payload.subarray(at, at + chunk).toString('base64');
      const res = await post(http, fillRequest(fixture('run_cmd_send_input.xml'), { shellId, commandId, stdin: part, end: at + chunk >= payload.length }), auth);
      assert.equal(res.status, 200, res.body);
    }
    const parts: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await post(http, fillRequest(fixture('get_cmd_ps_output_request.xml'), { shellId, commandId }), auth);
      assert.ok(res.body.length <= 150 * 1024, 'a response stays within MaxEnvelopeSize');
      for (const m of res.body.matchAll(/Name="stdout"[^>]*>([^<]+)</g)) parts.push(Buffer.from(m[1]!, 'base64'));
      if (res.body.includes('CommandState/Done')) break;
    }
    assert.ok(Buffer.concat(parts).equals(payload));
    const huge = fillRequest(fixture('run_cmd_send_input.xml'), { shellId, commandId, stdin: Buffer.alloc(200 * 1024).toString('base64') });
    const refused = await post(http, huge, auth);
    assert.equal(refused.status, 500);
    assert.match(refused.body, /w:EncodingLimit/);
  });
});
