// WinrmTransport against a scripted WS-Man responder (fixture responses): the caller gets its
// result while the terminate Signal is still unanswered; TimedOut means "poll again"; output
// split across Receives is reassembled; faults on the first Command recreate the shell.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { DEFAULT_SSH, DEFAULT_WINRM, type RemotingSettings } from '../settings.ts';
import { createWinrmTransport } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const COMMAND_ID = '11111111-1111-1111-1111-111111111111';
const receiveXml = (streams: string, done: boolean) => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><s:Body><rsp:ReceiveResponse>${streams}${done ? `<rsp:CommandState CommandId="${COMMAND_ID}" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>` : ''}</rsp:ReceiveResponse></s:Body></s:Envelope>`;
const stream = (text: string, end = false) => `<rsp:Stream Name="stdout" CommandId="${COMMAND_ID}"${end ? ' End="true"' : ''}>${Buffer.from(text).toString('base64')}</rsp:Stream>`;

/** Per action, the queue of answers; a function answer may hold the response. */
type Answer = { status: number; body: string } | 'hang';
let script: Record<string, Answer[]> = {};
const seen: string[] = [];
const held: http.ServerResponse[] = [];
let server: http.Server;
let settings: RemotingSettings;

before(async () => {
  server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="WSMAN"', 'content-length': 0 }).end();
        return;
      }
      const action = /<a:Action[^>]*>[^<]*\/([A-Za-z]+)<\/a:Action>/.exec(body)?.[1] ?? '?';
      seen.push(action);
      const answer = script[action]?.shift() ?? { status: 500, body: fixture('fault_wsman_fault_no_reason.xml') };
      if (answer === 'hang') { held.push(res); return; }
      res.writeHead(answer.status, { 'content-type': 'application/soap+xml;charset=UTF-8' }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  settings = {
    transport: 'winrm', connectTimeoutMs: 2000, ssh: DEFAULT_SSH,
    winrm: { ...DEFAULT_WINRM, auth: 'basic', username: 'u', password: 'p', useTls: false, allowUnencrypted: true, port, operationTimeoutSeconds: 1 },
  };
});
after(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function reset(extra: Record<string, Answer[]>): void {
  seen.length = 0;
  script = {
    Create: [{ status: 200, body: fixture('open_shell_response.xml') }],
    Command: [{ status: 200, body: fixture('run_cmd_req_input_response.xml') }],
    Send: [{ status: 200, body: fixture('run_cmd_send_input_response.xml') }],
    Delete: [{ status: 200, body: fixture('close_shell_response.xml') }],
    ...extra,
  };
}

test('the caller has its result while the terminate Signal is still unanswered', async () => {
  reset({ Receive: [{ status: 200, body: fixture('run_cmd_send_input_get_output_response.xml') }], Signal: ['hang'] });
  const transport = createWinrmTransport('windows-host', settings, { address: '127.0.0.1' });
  const result = await transport.run({ command: 'cmd', stdin: 'echo hello world && exit\r\n' });
  assert.equal(result.exitCode, 0);
  assert.match(result.stdout, /hello world \r\n$/);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(seen, ['Create', 'Command', 'Send', 'Receive', 'Signal']);
  assert.equal(held.length, 1, 'Signal is held by the host');
  const closing = Date.now();
  await transport.close();
  assert.ok(Date.now() - closing < 3000, 'close does not wait for the held Signal');
  assert.equal(seen.at(-1), 'Delete');
});

test('a TimedOut Receive means poll again; stdout split across Receives yields whole lines', async () => {
  reset({
    Receive: [
      { status: 500, body: fixture('fault_wsman_fault_known_fault.xml') },
      { status: 200, body: receiveXml(stream('{"type":"log","mess') , false) },
      { status: 200, body: receiveXml(stream('age":"é"}\r\n{"type":"result"}\r\n') + stream('', true), true) },
    ],
    Signal: [{ status: 200, body: fixture('stdin_cmd_cleanup_response.xml') }],
  });
  const transport = createWinrmTransport('windows-host', settings, { address: '127.0.0.1' });
  try {
    const lines: string[] = [];
    const result = await transport.run({ command: 'agent', onStdoutLine: (l) => lines.push(l) });
    assert.deepEqual(lines, ['{"type":"log","message":"é"}', '{"type":"result"}']);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(seen.filter((a) => a === 'Receive').length, 3);
  } finally {
    await transport.close();
  }
});

test('a fault on Command becomes a typed error; the shell-gone fault is retried on a new shell', async () => {
  const gone = fixture('fault_wsman_fault_with_wsmanfault.xml').replace('w:SchemaValidationError', 'w:InvalidSelectors').replace('2150858817', '2150858843');
  reset({
    Create: [{ status: 200, body: fixture('open_shell_response.xml') }, { status: 200, body: fixture('open_shell_response.xml') }],
    Command: [
      { status: 500, body: gone },
      { status: 200, body: fixture('run_cmd_req_input_response.xml') },
      { status: 500, body: fixture('fault_wsman_fault_with_wsmanfault.xml') },
    ],
    Receive: [{ status: 200, body: fixture('run_cmd_send_input_get_output_response.xml') }],
    Signal: [{ status: 200, body: fixture('stdin_cmd_cleanup_response.xml') }],
  });
  const transport = createWinrmTransport('windows-host', settings, { address: '127.0.0.1' });
  try {
    assert.equal((await transport.run({ command: 'cmd' })).exitCode, 0);
    assert.deepEqual(seen.slice(0, 6), ['Create', 'Command', 'Create', 'Command', 'Send', 'Receive']);
    await assert.rejects(transport.run({ command: 'cmd' }), (err: { code?: string; message: string }) => {
      assert.equal(err.code, 'REMOTE_FAULT');
      assert.match(err.message, /SchemaValidationError \(Sender\) on Command.*Detail message/);
      return true;
    });
  } finally {
    await transport.close();
  }
});

test('wrong Basic credentials are REMOTE_AUTH', async () => {
  reset({});
  const transport = createWinrmTransport('windows-host', { ...settings, winrm: { ...settings.winrm, password: 'x' } }, { address: '127.0.0.1' });
  try {
    await assert.rejects(transport.run({ command: 'cmd' }), { code: 'REMOTE_AUTH' });
    assert.deepEqual(seen, []);
  } finally {
    await transport.close();
  }
});
