// The client parses Windows-shaped responses (fixtures/) and builds requests that carry the
// same actions, selectors and body structure as the Windows-shaped requests there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildCommand, parseCommandResponse } from './command.ts';
import { ACTIONS, SHELL_RESOURCE_URI, SIGNAL_TERMINATE } from './namespaces.ts';
import { buildReceive, parseReceiveResponse } from './receive.ts';
import { attr, child, children, parseEnvelope, text, type XmlNode } from './response.ts';
import { buildSend, maxStdinChunk, stdinChunks } from './send.ts';
import { buildCreateShell, buildDeleteShell, parseCreateShellResponse } from './shell.ts';
import { buildSignalTerminate } from './signal.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const ctx = { to: 'http://windows-host:5985/wsman', maxEnvelopeSize: 153600, operationTimeoutSeconds: 20 };
const SHELL = '11111111-1111-1111-1111-111111111113';
const COMMAND = '11111111-1111-1111-1111-111111111111';

function options(header: XmlNode): Record<string, string> {
  return Object.fromEntries(children(child(header, 'OptionSet'), 'Option').map((o) => [attr(o, 'Name') ?? '', text(o) ?? '']));
}
function selectors(header: XmlNode): Record<string, string> {
  return Object.fromEntries(children(child(header, 'SelectorSet'), 'Selector').map((o) => [attr(o, 'Name') ?? '', text(o) ?? '']));
}
/** Header fields both sides must agree on. */
function shape(xml: string) {
  const env = parseEnvelope(xml);
  return {
    action: env.action,
    resourceUri: text(child(env.header, 'ResourceURI')),
    to: text(child(env.header, 'To')),
    operationTimeout: text(child(env.header, 'OperationTimeout')),
    maxEnvelopeSize: text(child(env.header, 'MaxEnvelopeSize')),
    selectors: selectors(env.header),
    optionNames: Object.keys(options(env.header)).sort(),
    env,
  };
}

test('Create shell request matches the Windows shape, with UTF-8 code page and no profile', () => {
  const ours = shape(buildCreateShell(ctx, { environment: { A: 'x<y' } }));
  const theirs = shape(fixture('open_shell_request.xml'));
  for (const key of ['action', 'resourceUri', 'to', 'operationTimeout', 'maxEnvelopeSize', 'optionNames'] as const) assert.deepEqual(ours[key], theirs[key], key);
  assert.equal(ours.action, ACTIONS.Create);
  assert.deepEqual(options(ours.env.header), { WINRS_NOPROFILE: 'TRUE', WINRS_CODEPAGE: '65001' });
  const shell = child(ours.env.body, 'Shell');
  assert.equal(text(child(shell, 'InputStreams')), 'stdin');
  assert.equal(text(child(shell, 'OutputStreams')), 'stdout stderr');
  const variable = children(child(shell, 'Environment'), 'Variable')[0];
  assert.equal(attr(variable, 'Name'), 'A');
  assert.equal(text(variable), 'x<y');
});

test('Command request carries the shell selector, pipe stdin and no cmd.exe', () => {
  const ours = shape(buildCommand(ctx, SHELL, 'powershell.exe -File "C:\\a b\\x.ps1" & <tag>'));
  const theirs = shape(fixture('run_cmd_wo_args_request.xml'));
  for (const key of ['action', 'resourceUri', 'selectors', 'optionNames'] as const) assert.deepEqual(ours[key], theirs[key], key);
  assert.deepEqual(options(ours.env.header), { WINRS_CONSOLEMODE_STDIN: 'FALSE', WINRS_SKIP_CMD_SHELL: 'TRUE' });
  assert.equal(text(child(child(ours.env.body, 'CommandLine'), 'Command')), 'powershell.exe -File "C:\\a b\\x.ps1" & <tag>');
});

test('Send request carries base64 stdin for the command, End only on the last chunk', () => {
  const data = Buffer.from('echo "hello world" && exit\r\n');
  const ours = shape(buildSend(ctx, SHELL, COMMAND, data, false));
  const theirs = shape(fixture('run_cmd_send_input.xml'));
  for (const key of ['action', 'resourceUri', 'selectors'] as const) assert.deepEqual(ours[key], theirs[key], key);
  const ourStream = children(child(ours.env.body, 'Send'), 'Stream')[0];
  const theirStream = children(child(theirs.env.body, 'Send'), 'Stream')[0];
  assert.equal(text(ourStream), text(theirStream));
  assert.equal(attr(ourStream, 'Name'), 'stdin');
  assert.equal(attr(ourStream, 'CommandId'), attr(theirStream, 'CommandId'));
  assert.equal(attr(ourStream, 'End'), undefined);
  const last = children(child(shape(buildSend(ctx, SHELL, COMMAND, data, true)).env.body, 'Send'), 'Stream')[0];
  assert.equal(attr(last, 'End'), 'true');
});

test('stdin is cut into chunks whose Send envelopes fit MaxEnvelopeSize, and always ends', () => {
  const size = 16_384;
  const stdin = Buffer.alloc(50_000, 7);
  const chunks = stdinChunks(stdin, size);
  assert.ok(chunks.length >= 4);
  assert.deepEqual(Buffer.concat(chunks), stdin);
  for (const [i, chunk] of chunks.entries()) {
    assert.ok(chunk.length <= maxStdinChunk(size));
    assert.ok(Buffer.byteLength(buildSend({ ...ctx, maxEnvelopeSize: size }, SHELL, COMMAND, chunk, i === chunks.length - 1)) <= size);
  }
  assert.deepEqual(stdinChunks(Buffer.alloc(0), size).map((c) => c.length), [0]);
});

test('Receive, Signal and Delete requests match the Windows shape', () => {
  const receive = shape(buildReceive(ctx, SHELL, COMMAND));
  const receiveFixture = shape(fixture('run_cmd_send_input_get_output.xml'));
  for (const key of ['action', 'resourceUri', 'selectors'] as const) assert.deepEqual(receive[key], receiveFixture[key], key);
  const desired = child(child(receive.env.body, 'Receive'), 'DesiredStream');
  assert.equal(text(desired), 'stdout stderr');
  assert.equal(attr(desired, 'CommandId'), COMMAND);

  const signal = shape(buildSignalTerminate(ctx, SHELL, COMMAND));
  const signalFixture = shape(fixture('stdin_cmd_cleanup.xml'));
  for (const key of ['action', 'resourceUri', 'selectors'] as const) assert.deepEqual(signal[key], signalFixture[key], key);
  assert.equal(text(child(child(signal.env.body, 'Signal'), 'Code')), SIGNAL_TERMINATE);
  assert.equal(attr(child(signal.env.body, 'Signal'), 'CommandId'), COMMAND);

  const del = shape(buildDeleteShell(ctx, SHELL));
  const delFixture = shape(fixture('close_shell_request.xml'));
  for (const key of ['action', 'resourceUri', 'selectors'] as const) assert.deepEqual(del[key], delFixture[key], key);
  assert.equal(del.resourceUri, SHELL_RESOURCE_URI);
});

test('parses the ShellId from a CreateResponse and the CommandId from a CommandResponse', () => {
  assert.equal(parseCreateShellResponse(parseEnvelope(fixture('open_shell_response.xml')).body), SHELL);
  assert.equal(parseCommandResponse(parseEnvelope(fixture('run_cmd_req_input_response.xml')).body), COMMAND);
  assert.throws(() => parseCommandResponse(parseEnvelope(fixture('run_cmd_send_input_response.xml')).body), { code: 'REMOTE_PROTOCOL' });
});

test('Receive joins a stream split across several elements and reads End and the exit code', () => {
  const result = parseReceiveResponse(parseEnvelope(fixture('run_cmd_send_input_get_output_response.xml')).body, COMMAND);
  const stdout = Buffer.concat(result.chunks.filter((c) => c.name === 'stdout').map((c) => c.data)).toString('utf8');
  assert.equal(stdout, 'Microsoft Windows [Version 10.0.17763.107]\r\n(c) 2018 Microsoft Corporation. All rights reserved.\r\n\r\nC:\\Users\\rweber>echo hello world && exit\r\nhello world \r\n');
  assert.deepEqual(result.chunks.filter((c) => c.end).map((c) => c.name), ['stdout', 'stderr']);
  assert.equal(result.done, true);
  assert.equal(result.exitCode, 0);
});

test('Receive of a long multi-chunk output and of stderr with a non-zero exit code', () => {
  const ipconfig = parseReceiveResponse(parseEnvelope(fixture('get_cmd_output_response.xml')).body, '11111111-1111-1111-1111-111111111114');
  const out = Buffer.concat(ipconfig.chunks.map((c) => c.data)).toString('utf8');
  assert.match(out, /^\r\nWindows IP Configuration\r\n/);
  assert.match(out, /Host Name[ .]*: WINDOWS-HOST/);
  assert.equal(ipconfig.exitCode, 0);

  const ps = parseReceiveResponse(parseEnvelope(fixture('get_ps_output_response.xml')).body, '11111111-1111-1111-1111-111111111124');
  const stderr = Buffer.concat(ps.chunks.filter((c) => c.name === 'stderr').map((c) => c.data)).toString('utf8');
  assert.match(stderr, /^#< CLIXML\r\n<Objs Version="1.1.0.1"/);
  assert.equal(ps.done, true);
  assert.equal(ps.exitCode, 1);
  // Streams of another command are not ours.
  assert.deepEqual(parseReceiveResponse(parseEnvelope(fixture('get_ps_output_response.xml')).body, COMMAND).chunks.filter((c) => c.data.length > 0), []);
});

test('Signal and Delete responses parse as plain (non-fault) envelopes', () => {
  for (const name of ['cleanup_cmd_response.xml', 'stdin_cmd_cleanup_response.xml', 'close_shell_response.xml']) {
    const env = parseEnvelope(fixture(name));
    assert.equal(child(env.body, 'Fault'), undefined, name);
    assert.match(env.action ?? '', /(Signal|Delete)Response$/);
  }
});

test('malformed XML is a REMOTE_PROTOCOL error', () => {
  assert.throws(() => parseEnvelope('<s:Envelope><s:Body>'), { code: 'REMOTE_PROTOCOL' });
  assert.throws(() => parseEnvelope('<html><body>hi</body></html>'), { code: 'REMOTE_PROTOCOL' });
});
