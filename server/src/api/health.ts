/** Liveness and readiness probes (Kubernetes, load balancers). Public by design. */
import Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Readiness } from '../readiness.ts';

const Check = Type.Object({ ready: Type.Boolean(), detail: Type.Optional(Type.String()) });
const ReadyReport = Type.Object({
  ready: Type.Boolean(),
  laboratory: Type.Boolean({ description: 'true when running against the embedded simulated laboratory' }),
  checks: Type.Record(Type.String(), Check),
});

export const healthRoutes: FastifyPluginAsync<{ readiness: Readiness; laboratory: boolean }> = async (app, { readiness, laboratory }) => {
  app.get('/healthz', {
    config: { auth: 'public' },
    schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    config: { auth: 'public' },
    schema: {
      tags: ['health'],
      summary: 'The service can do its work: store open, configuration valid, start-up host deployment finished',
      response: { 200: ReadyReport, 503: ReadyReport },
    },
  }, async (_request, reply) => {
    const report = { ...readiness.report(), laboratory };
    return reply.status(report.ready ? 200 : 503).send(report);
  });
};
