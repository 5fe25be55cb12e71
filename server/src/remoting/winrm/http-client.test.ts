import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges } from './http-client.ts';

test('WWW-Authenticate challenges are split per scheme, tokens separated from auth-params', () => {
  assert.deepEqual(parseChallenges(['WWW-Authenticate', 'Negotiate', 'WWW-Authenticate', 'Basic realm="WSMAN"', 'Server', 'x']), [
    { scheme: 'Negotiate', token: undefined },
    { scheme: 'Basic', token: undefined },
  ]);
  assert.deepEqual(parseChallenges(['www-authenticate', 'Negotiate TlRMTVNTUAACAAAA==, Basic realm="WSMAN", Kerberos']), [
    { scheme: 'Negotiate', token: 'TlRMTVNTUAACAAAA==' },
    { scheme: 'Basic', token: undefined },
    { scheme: 'Kerberos', token: undefined },
  ]);
});
