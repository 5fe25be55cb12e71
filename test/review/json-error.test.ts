// Review: a body that is not JSON is a 400 problem that does not quote the body back (newer
// Node versions put the text around the fault into the SyntaxError message; bodies carry passwords).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { toProblem } from '../../server/src/api/problem.ts';

const request = { url: '/api/v1/vms?x=1', id: 'req-1' } as unknown as FastifyRequest;

test('the SyntaxError text is not echoed, its position is', () => {
  // The message Node 22 gives for JSON.parse('{"guest":{"localAdmin":{"password":"Secr3t-pw" x}}}').
  const error = Object.assign(new SyntaxError('Expected \',\' or \'}\' after property value in JSON at position 49 (line 1 column 50): ..."Secr3t-pw" x}}}"'), { statusCode: 400 });
  const problem = toProblem(error, request, false);
  assert.equal(problem.status, 400);
  assert.equal(problem.code, 'BAD_REQUEST');
  assert.ok(!JSON.stringify(problem).includes('Secr3t'), problem.detail);
  assert.match(problem.detail, /not valid JSON \(at position 49\)/);
});

test('the real parser on this Node gives the same clear problem', () => {
  let parsed: unknown;
  try {
    parsed = JSON.parse('{"guest":{"localAdmin":{"password":"Secr3t-pw" x}}}');
  } catch (error) {
    const problem = toProblem(Object.assign(error as Error, { statusCode: 400 }), request, false);
    assert.match(problem.detail, /^the request body is not valid JSON/);
    assert.ok(!problem.detail.includes('Secr3t'));
    return;
  }
  assert.fail(`parsed: ${JSON.stringify(parsed)}`);
});
