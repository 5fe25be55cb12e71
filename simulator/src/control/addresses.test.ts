import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostAddresses } from './addresses.ts';

describe('host addresses', () => {
  it('counts up from the base and skips .0 and .255 when wrapping into the next /24', () => {
    assert.deepEqual(hostAddresses('127.0.10.1', 3), ['127.0.10.1', '127.0.10.2', '127.0.10.3']);
    assert.deepEqual(hostAddresses('127.0.10.253', 4), ['127.0.10.253', '127.0.10.254', '127.0.11.1', '127.0.11.2']);
    const thousand = hostAddresses('127.0.10.1', 1000);
    assert.equal(new Set(thousand).size, 1000);
    assert.equal(thousand.at(-1), '127.0.13.238');
  });

  it('refuses a non-loopback base or a count beyond 127/8', () => {
    assert.throws(() => hostAddresses('10.0.0.1', 1), /loopback/);
    assert.throws(() => hostAddresses('127.0.0.300', 1), /loopback/);
    assert.throws(() => hostAddresses('127.255.255.250', 10), /do not fit/);
  });
});
