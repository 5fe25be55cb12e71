/**
 * The audit trail (issue 8): every mutating request, every denied request (401/403) and every
 * failed sign-in is written to the store — who, what (method, route template, route ids), when,
 * from where, the outcome and the job it created (the id in a 202 response). Never a body, a
 * header or a token. `GET /api/v1/audit` lets admins read it.
 */
import Type from 'typebox';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.ts';
import type { AuditEntry, AuditLog, AuditOutcome } from '../auth/audit-log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The job a 202 response announced. */
    auditJobId?: string;
    /** Set when a handler wrote its own audit record (e.g. a failed sign-in). */
    audited?: boolean;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function outcomeOf(status: number): AuditOutcome {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'denied';
  return status < 400 ? 'success' : 'failure';
}

/** The caller and request facts of an audit entry (no body, no headers, no credentials). */
export function auditEntryFor(request: FastifyRequest, status: number): AuditEntry {
  const p = request.principal;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const target: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === 'string' || typeof v === 'number') target[k] = String(v).slice(0, 300);
  return {
    subject: p?.subject ?? null, name: p?.name ?? null, tokenName: p?.tokenName ?? null, via: p?.via ?? null,
    method: request.method, route: request.routeOptions.url ?? '(no route)', target, ip: request.ip, status,
    outcome: outcomeOf(status), jobId: request.auditJobId ?? null, correlationId: String(request.id),
    detail: status === 401 || status === 403 ? (request.authFailure ?? null) : null,
  };
}

/** Hooks that write the audit trail; records are written after the response, never failing it. */
export function installAuditTrail(app: FastifyInstance, audit: AuditLog): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 202 && typeof payload === 'string') {
      try {
        const id = (JSON.parse(payload) as { id?: unknown }).id;
        if (typeof id === 'string') request.auditJobId = id;
      } catch {
        // not JSON: no job id to record
      }
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    if (request.audited || (!UNSAFE_METHODS.has(request.method) && status !== 401 && status !== 403)) return;
    try {
      await audit.record(auditEntryFor(request, status));
    } catch (error) {
      request.log.error({ err: error }, 'could not write the audit record');
    }
  });
}

const Outcome = Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied'), Type.Literal('unauthenticated'), Type.Literal('sign-in-failed')]);
const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
export const AuditRecordSchema = Type.Object({
  id: Type.String(), at: Type.String({ format: 'date-time' }),
  subject: Nullable(Type.String()), name: Nullable(Type.String()), tokenName: Nullable(Type.String()), via: Nullable(Type.String()),
  method: Type.String(), route: Type.String({ description: 'route template, e.g. /api/v1/vms/:id' }),
  target: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()], { description: 'route parameters (ids)' }),
  ip: Nullable(Type.String()), status: Type.Integer(), outcome: Outcome,
  jobId: Nullable(Type.String()), correlationId: Nullable(Type.String()), detail: Nullable(Type.String()),
}, {
  examples: [{ id: '5c0f…', at: '2026-11-26T00:30:00.000Z', subject: 'alice@contoso.com', name: 'Alice', tokenName: null, via: 'session', method: 'DELETE', route: '/api/v1/vms/:id', target: { id: '0b5e…' }, ip: '10.0.0.7', status: 202, outcome: 'success', jobId: 'job-…', correlationId: 'c0ffee', detail: null }],
});

const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');
function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^o:/, ''));
  if (!Number.isInteger(offset) || offset < 0) throw new AppError('BAD_REQUEST', 'cursor is not one this server issued; start again without it');
  return offset;
}

export const auditRoutes: FastifyPluginAsync<{ audit: AuditLog }> = async (fastify, { audit }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/v1/audit', {
    config: { auth: 'admin' },
    schema: {
      tags: ['audit'], summary: 'The audit log, newest first',
      querystring: Type.Object({
        subject: Type.Optional(Type.String({ maxLength: 300 })),
        outcome: Type.Optional(Outcome),
        since: Type.Optional(Type.String({ format: 'date-time', description: 'only records at or after this time' })),
        route: Type.Optional(Type.String({ maxLength: 300, description: 'route template, e.g. /api/v1/tokens' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        cursor: Type.Optional(Type.String({ maxLength: 100 })),
      }),
      response: { 200: Type.Object({ items: Type.Array(AuditRecordSchema), total: Type.Integer(), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
    },
  }, async (request) => {
    const { subject, outcome, since, route } = request.query;
    const limit = request.query.limit ?? 100;
    const offset = decodeCursor(request.query.cursor);
    const { items, total } = await audit.query({ subject, outcome, since, route, limit, offset });
    const next = offset + items.length;
    return { items, total, nextCursor: next < total ? encodeCursor(next) : null };
  });
};
