/**
 * Every failure leaves the API as application/problem+json (RFC 9457), mapped once here from
 * AppError codes (server/src/errors.ts) and Fastify's own errors. Stack traces appear only
 * with DEBUG=true; internal error messages never reach callers otherwise.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, isAppError, type ErrorCode } from '../errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  correlationId?: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

export function problemType(code: string): string {
  return `urn:aetherv:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export function problemFor(code: ErrorCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  const spec = ERRORS[code];
  return { type: problemType(code), title: spec.title, status: spec.status, detail, code, ...extra };
}

/** Fastify's own error codes that are the caller's fault, mapped to ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

export function toProblem(error: FastifyError | Error, request: FastifyRequest, debug: boolean): Problem {
  const base = { instance: request.url.split('?')[0], correlationId: String(request.id) };
  if (isAppError(error)) {
    return { ...problemFor(error.code, error.message, { ...error.details, ...base }), status: error.status };
  }
  const fe = error as FastifyError & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (fe.validation) {
    const errors = fe.validation.map((v) => ({
      path: `${fe.validationContext ?? 'body'}${v.instancePath ?? ''}${v.params?.missingProperty ? `/${String(v.params.missingProperty)}` : ''}`,
      message: v.message ?? 'is invalid',
    }));
    const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ');
    return problemFor('VALIDATION_FAILED', detail, { ...base, errors });
  }
  if (error instanceof SyntaxError && fe.statusCode === 400) {
    // Newer V8 quotes the text around the fault ("…"password":"…" is not valid JSON"): the body
    // may hold a password, so only the position goes back.
    const position = /position (\d+)/.exec(error.message)?.[1];
    return problemFor('BAD_REQUEST', `the request body is not valid JSON${position ? ` (at position ${position})` : ''}`, base);
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return problemFor(mapped, fe.message, base);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { ...problemFor('BAD_REQUEST', fe.message, base), status: fe.statusCode };
  }
  const detail = debug ? `${error.message}\n${error.stack ?? ''}` : 'An unexpected error occurred; the correlation id identifies it in the server log.';
  return problemFor('INTERNAL', detail, base);
}

export function sendProblem(reply: FastifyReply, problem: Problem, headers: Record<string, string> = {}): FastifyReply {
  return reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}
