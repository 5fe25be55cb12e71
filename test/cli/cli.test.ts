import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const run = (...args: string[]) => spawnSync(process.execPath, ['bin/aetherv.mjs', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('aetherv CLI', () => {
  it('lists its commands with --help and exits 0', () => {
    const r = run('--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: aetherv <command>/);
    assert.match(r.stdout, /\bstart\b/);
  });

  it('prints the version', () => {
    const r = run('version');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`aetherv-orchestrator ${readFileSync('version', 'utf8').trim().replaceAll('.', '\\.')}`));
  });

  it('rejects an unknown command with a message and a non-zero exit', () => {
    const r = run('frobnicate');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });
});
