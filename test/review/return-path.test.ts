// Review: /auth/login?returnTo= must never send the browser to another origin, even when dot
// segments collapse into a protocol-relative path ("/..//evil.example" → "//evil.example").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeReturnPath } from '../../server/src/auth/session.ts';

test('dot segments that collapse into "//host" are refused', () => {
  for (const bad of ['/..//evil.example', '/.//evil.example', '/a/..//evil.example', '/%2e%2e//evil.example', '/./\u0009/evil.example', '/a/../..//evil.example/x?y=1']) {
    const result = safeReturnPath(bad);
    assert.ok(!result.startsWith('//'), `${JSON.stringify(bad)} became ${result}`);
    assert.equal(new URL(result, 'https://orchestrator.example').origin, 'https://orchestrator.example', bad);
  }
});

test('ordinary local paths still come back unchanged', () => {
  assert.equal(safeReturnPath('/vms/abc?tab=disks#top'), '/vms/abc?tab=disks#top');
  assert.equal(safeReturnPath('/a/../vms'), '/vms');
});
