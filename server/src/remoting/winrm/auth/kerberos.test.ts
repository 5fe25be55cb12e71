import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostBasedService } from './kerberos.ts';

test('Kerberos service names accept the setspn form', () => {
  assert.equal(hostBasedService('HTTP@hv01.lab.test'), 'HTTP@hv01.lab.test');
  assert.equal(hostBasedService('HTTP/hv01.lab.test@LAB.TEST'), 'HTTP@hv01.lab.test');
  assert.equal(hostBasedService('WSMAN/hv01'), 'WSMAN@hv01');
});
