/**
 * Issue 16 item 7f: one guest error vocabulary, in Schemas/guest-errors.json, used by the
 * orchestrator and by both guest agents (the Windows agent said `applying:domainjoin` where the
 * orchestrator documented `applying:domain-join`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_ERROR_CODES, GUEST_ERROR_MAX_CHARS, isKnownGuestError, parseGuestError } from '../../server/src/provisioning/kvp-protocol.ts';
import { repoRoot } from '../support/pester.ts';

const schema = JSON.parse(readFileSync(join(repoRoot, 'Schemas', 'guest-errors.json'), 'utf8')) as { codes: string[]; maxLength: number };

function windowsSources(): string {
  const root = join(repoRoot, 'Windows');
  const files = ['AetherV.Guest.ps1', 'AetherV.Bootstrap.ps1', ...readdirSync(join(root, 'Modules')).map((m) => `Modules/${m}`)];
  return files.map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
}

/** Complete summaries a source writes ('error x:y'); prefixes completed at run time ('error applying:' + name) are left out. */
function literals(source: string, quote: string): string[] {
  const found = [...source.matchAll(new RegExp(`${quote}(error(?: [a-z-]+:[^${quote}]*|:unknown))${quote}`, 'g'))].map((m) => m[1]!);
  // A '<…>' is documentation (the Linux agent's header), not a summary the agent writes.
  return [...new Set(found.filter((c) => !c.endsWith(':') && !c.includes('<')).map((c) => c.replace(/\{\d\}|%s/g, 'x1.2')))].sort();
}

describe('guest error vocabulary (Schemas/guest-errors.json)', () => {
  it('the orchestrator reads it from Schemas/, and every code parses', () => {
    assert.deepEqual(GUEST_ERROR_CODES, schema.codes);
    assert.equal(schema.maxLength, GUEST_ERROR_MAX_CHARS);
    for (const code of schema.codes) assert.ok(parseGuestError(code.replace(/<[a-z]+>/g, 'x')), code);
    assert.ok(schema.codes.includes('error applying:domain-join'));
  });

  it('the Windows agent writes only codes of the vocabulary (domain-join, not domainjoin)', () => {
    const codes = literals(windowsSources(), "'");
    assert.ok(codes.length > 15, codes.join(', '));
    assert.ok(codes.includes('error applying:domain-join'));
    assert.deepEqual(codes.filter((c) => !isKnownGuestError(c)), []);
  });

  it('the Linux agent writes only codes of the vocabulary', () => {
    const codes = literals(readFileSync(join(repoRoot, 'Linux', 'aetherv-guest-agent'), 'utf8'), '"');
    assert.ok(codes.length > 8, codes.join(', '));
    assert.deepEqual(codes.filter((c) => !isKnownGuestError(c)), []);
  });

  it('placeholders match run-time words only', () => {
    assert.equal(isKnownGuestError('error timeout:awaiting-key'), true);
    assert.equal(isKnownGuestError('error version-mismatch:1.2.0!=1.3.0'), true);
    assert.equal(isKnownGuestError('error applying:domainjoin'), false);
    assert.equal(isKnownGuestError('error applying:'), false);
  });
});
