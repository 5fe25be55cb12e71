// Review: secrets are removed from log lines at any depth, not only down to the fixed depth the
// pino redact paths reach, and under any name that says password or secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from '../../server/src/logging.ts';

function capture() {
  const lines: string[] = [];
  const logger = pino(loggerOptions('debug'), new Writable({ write(chunk: Buffer, _e, done) { lines.push(chunk.toString('utf8')); done(); } }));
  return { logger, text: () => lines.join('') };
}

const M = 'Deep-MARKER-4f2a';

test('secret fields deeper than the redact paths, and secret-named variants, never reach a log line', () => {
  const { logger, text } = capture();
  const job = { request: { body: { guest: { users: [{ name: 'deploy', password: `${M}-1` }], localAdmin: { username: 'ops', password: `${M}-2` } } } } };
  logger.info({ job }, 'submitted');
  logger.info({ params: { guestPasswords: { localAdmin: `${M}-3` } }, localAdminPassword: `${M}-4`, nested: { deeper: { webClientSecret: `${M}-5` } } }, 'variants');
  logger.info({ a: { b: { c: { d: { e: { token: `${M}-6` } } } } } }, 'very deep');
  const out = text();
  assert.ok(!out.includes(M), out);
  // What is not secret stays, and the caller's object is untouched.
  assert.match(out, /"username":"ops"/);
  assert.match(out, /"name":"deploy"/);
  assert.equal(job.request.body.guest.localAdmin.password, `${M}-2`);
});

test('flags and counts about secrets, token names and ordinary fields are kept', () => {
  const { logger, text } = capture();
  logger.info({ job: { id: 'j1', hasSecrets: true, secretCount: 2, tokenName: 'backup' }, host: 'HV01' }, 'kept');
  const line = JSON.parse(text()) as { job: Record<string, unknown>; host: string; msg: string };
  assert.deepEqual(line.job, { id: 'j1', hasSecrets: true, secretCount: 2, tokenName: 'backup' });
  assert.equal(line.host, 'HV01');
  assert.equal(line.msg, 'kept');
});
