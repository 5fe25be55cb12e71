import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkError } from './network-errors.ts';

const ctx = { host: 'hv01', port: 5986, useTls: true, requestSent: true };
const err = (code: string, message = code) => Object.assign(new Error(message), { code });

test('socket, DNS and TLS failures map to typed errors that say whether the request may have arrived', () => {
  const cases: Array<[Error, string, boolean]> = [
    [err('ENOTFOUND'), 'REMOTE_DNS', false],
    [err('ECONNREFUSED'), 'REMOTE_CONNECT', false],
    [err('CONNECT_TIMEOUT'), 'REMOTE_CONNECT', false],
    [err('DEPTH_ZERO_SELF_SIGNED_CERT'), 'REMOTE_TLS', false],
    [err('ERR_TLS_CERT_ALTNAME_INVALID'), 'REMOTE_TLS', false],
    [err('ERR_SSL_WRONG_VERSION_NUMBER'), 'REMOTE_TLS', false],
    [err('ECONNRESET', 'socket hang up'), 'REMOTE_CONNECTION_DROPPED', true],
    [new Error('socket hang up'), 'REMOTE_CONNECTION_DROPPED', true],
  ];
  for (const [cause, code, sent] of cases) {
    const mapped = networkError(cause, ctx);
    assert.equal(mapped.code, code, (cause as { code?: string }).code);
    assert.equal(mapped.details.requestSent, sent, code);
    assert.equal(mapped.cause, cause);
  }
  assert.match(networkError(err('ECONNREFUSED'), ctx).message, /hv01:5986.*HTTPS listener/);
  assert.match(networkError(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), ctx).message, /WINRM_CA_FILE/);
});
