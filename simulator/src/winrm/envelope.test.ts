import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseRequest } from './envelope.ts';
import { WsmanFault } from './faults.ts';
import { fixture } from './testing-client.ts';

describe('WS-Man request parsing', () => {
  it('reads action, selectors, options, timeouts and body of the fixture requests', () => {
    const req = parseRequest(fixture('run_cmd_with_args_request.xml'));
    assert.equal(req.action, 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command');
    assert.equal(req.messageId, 'uuid:11111111-1111-1111-1111-111111111111');
    assert.equal(req.resourceUri, 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd');
    assert.deepEqual(req.selectors, { ShellId: '11111111-1111-1111-1111-111111111113' });
    assert.deepEqual(req.options, { WINRS_CONSOLEMODE_STDIN: 'TRUE', WINRS_SKIP_CMD_SHELL: 'FALSE' });
    assert.equal(req.operationTimeoutMs, 20_000);
    assert.equal(req.maxEnvelopeSize, 153_600);
    assert.ok(req.body['CommandLine']);
  });

  it('parses xs:duration values WinRM clients send', () => {
    assert.equal(parseDuration('PT20S'), 20_000);
    assert.equal(parseDuration('PT60.000S'), 60_000);
    assert.equal(parseDuration('PT0.5S'), 500);
    assert.equal(parseDuration('P0DT2H0M0S'), 7_200_000);
    assert.equal(parseDuration('PT1M30S'), 90_000);
    assert.equal(parseDuration('20 seconds'), undefined);
  });

  it('turns malformed XML or a missing Action into a schema validation fault', () => {
    for (const xml of ['<not-xml', '<s:Envelope xmlns:s="x"><s:Header/><s:Body/></s:Envelope>', '<a/>']) {
      assert.throws(() => parseRequest(xml), (e: unknown) => e instanceof WsmanFault && e.spec.wsmanCode === 2150858817);
    }
  });
});
