import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readGuestReport } from './guest-report.ts';

describe('reading the guest report', () => {
  test('an applied guest with its address and version', () => {
    const items = new Map([
      ['aetherv.guest.state', 'applied'],
      ['aetherv.guest.ipv4', '10.0.0.5'],
      ['aetherv.guest.version', '0.1.0'],
      ['aetherv.guest.pubkey', '{"kty":"RSA"}'],
    ]);
    assert.deepEqual(readGuestReport(items), { state: 'applied', ipv4: '10.0.0.5', version: '0.1.0', pubkey: '{"kty":"RSA"}' });
  });

  test('a failure with its parsed error; malformed values are dropped', () => {
    assert.deepEqual(readGuestReport({ 'aetherv.guest.state': 'failed', 'aetherv.guest.error': 'error version-mismatch:0.1.0!=0.2.0' }), {
      state: 'failed',
      error: { stage: 'version-mismatch', detail: '0.1.0!=0.2.0', summary: 'error version-mismatch:0.1.0!=0.2.0' },
    });
    assert.deepEqual(readGuestReport({ 'aetherv.guest.error': 'something odd' }), { error: { stage: 'unknown', detail: '', summary: 'something odd' } });
    assert.deepEqual(
      readGuestReport({
        'aetherv.guest.state': 'done',
        'aetherv.guest.ipv4': '10.0.0.999',
        'aetherv.guest.error': 'x'.repeat(201),
        'aetherv.guest.version': 'a\u0000b',
      }),
      {},
    );
  });
});
