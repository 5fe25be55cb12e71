/**
 * Jobs API (issue 7): list (filters, newest first, keyset cursor), one job with its steps,
 * its log lines resumable by sequence, cancel. `submitAndReply` is how write routes (VMs,
 * disks, NICs…) hand work to the engine: 202, the job, and a Location header.
 */
import Type from 'typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PrincipalSources } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import type { JobEngine } from '../jobs/engine.ts';
import type { JobSubmission, JobView } from '../jobs/types.ts';
import { requireRole } from './authorize.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const JobStateSchema = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('interrupted')]);
const StepStateSchema = Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('skipped'), Type.Literal('rolled-back')]);
export const JobErrorSchema = Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Unknown())) });

const summaryFields = {
  id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  state: JobStateSchema,
  host: Nullable(Type.String()),
  vmId: Nullable(Type.String()),
  requestedBy: Type.String(),
  correlationId: Type.String(),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  currentStep: Nullable(Type.String()),
  cancelRequested: Type.Boolean(),
  error: Nullable(JobErrorSchema),
};

export const JobSummarySchema = Type.Object(summaryFields);
export const JobStepSchema = Type.Object({
  index: Type.Integer(), name: Type.String(), state: StepStateSchema,
  startedAt: Nullable(Type.String()), finishedAt: Nullable(Type.String()), output: Type.Unknown(), error: Nullable(JobErrorSchema),
});
/** The job as every endpoint returns it: `{id, kind, state, steps, result, error, …}`. */
export const JobSchema = Type.Object({
  ...summaryFields,
  params: Type.Record(Type.String(), Type.Unknown()),
  hasSecrets: Type.Boolean({ description: 'The job carries secrets (encrypted at rest; never shown)' }),
  steps: Type.Array(JobStepSchema),
  result: Type.Unknown({ description: 'What the job produced, e.g. {"vmId": "…"} for provisioning' }),
});
const JobEventSchema = Type.Object({ seq: Type.Integer(), time: Type.String(), level: Type.Union([Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]), message: Type.String(), step: Nullable(Type.String()) });
const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }) });

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, validated; undefined when absent. */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !IDEMPOTENCY_KEY.test(value)) throw new AppError('BAD_REQUEST', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  return value;
}

export type RouteSubmission = Omit<JobSubmission, 'requestedBy' | 'correlationId' | 'idempotencyKey'> & Partial<Pick<JobSubmission, 'requestedBy' | 'correlationId'>>;

/**
 * Submits a job for a write route and answers 202 with the job and `Location: /api/v1/jobs/<id>`.
 * Who asked, the correlation id and the `Idempotency-Key` header come from the request.
 */
export async function submitAndReply(reply: FastifyReply, engine: JobEngine, submission: RouteSubmission): Promise<JobView> {
  const request = reply.request;
  const idempotencyKey = idempotencyKeyOf(request.headers);
  const job = await engine.submit({
    ...submission,
    requestedBy: submission.requestedBy ?? request.principal?.subject ?? 'anonymous',
    correlationId: submission.correlationId ?? String(request.id),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  void reply.code(202).header('location', `/api/v1/jobs/${job.id}`);
  return job;
}

export const jobRoutes: FastifyPluginAsync<{ engine: JobEngine; auth?: PrincipalSources }> = async (fastify, { engine, auth }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const sources: PrincipalSources = auth ?? { oidcEnabled: true };
  const reader = requireRole(sources, 'reader');
  const writer = requireRole(sources, 'writer');

  app.get('/api/v1/jobs', {
    preHandler: reader,
    schema: {
      tags: ['jobs'], summary: 'Jobs, newest first (filter by state, kind, host, VM)',
      querystring: Type.Object({
        state: Type.Optional(JobStateSchema), kind: Type.Optional(Type.String({ maxLength: 64 })),
        host: Type.Optional(Type.String({ maxLength: 255 })), vmId: Type.Optional(Type.String({ maxLength: 64 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })), cursor: Type.Optional(Type.String({ maxLength: 500 })),
      }),
      response: { 200: Type.Object({ items: Type.Array(JobSummarySchema), total: Type.Integer(), nextCursor: Nullable(Type.String()) }) },
    },
  }, async (request) => {
    const { state, kind, host, vmId, limit, cursor } = request.query;
    return engine.list({ state, kind, host, vmId }, { limit, cursor });
  });

  app.get('/api/v1/jobs/:id', {
    preHandler: reader,
    schema: { tags: ['jobs'], summary: 'One job: steps, result, error', params: IdParams, response: { 200: JobSchema } },
  }, async (request) => engine.get(request.params.id));

  app.get('/api/v1/jobs/:id/events', {
    preHandler: reader,
    schema: {
      tags: ['jobs'], summary: 'The job\'s log lines after a sequence number (poll with the last seq you saw)',
      params: IdParams,
      querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })) }),
      response: { 200: Type.Object({ items: Type.Array(JobEventSchema), state: JobStateSchema, finished: Type.Boolean({ description: 'The job has ended: no further lines will come' }) }) },
    },
  }, async (request) => engine.events(request.params.id, request.query.after, request.query.limit));

  app.post('/api/v1/jobs/:id/cancel', {
    preHandler: writer,
    schema: { tags: ['jobs'], summary: 'Cancel a job: stops it and rolls back what it created (409 when it has already finished)', params: IdParams, response: { 202: JobSchema } },
  }, async (request, reply) => {
    const job = await engine.cancel(request.params.id, request.principal?.subject ?? 'anonymous');
    return reply.code(202).send(job);
  });
};
