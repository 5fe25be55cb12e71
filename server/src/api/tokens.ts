/** Named API tokens (issue 8): admins create (secret shown once), list and revoke them. */
import Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.ts';
import type { ApiTokenStore } from '../auth/api-tokens.ts';
import type { Role } from '../auth/principal.ts';

const RoleSchema = Type.Union([Type.Literal('reader'), Type.Literal('writer'), Type.Literal('admin')]);
const MAX_DAYS = 366;

export const ApiTokenSchema = Type.Object({
  id: Type.String({ format: 'uuid' }), name: Type.String(), role: RoleSchema,
  createdAt: Type.String({ format: 'date-time' }), createdBy: Type.String(), expiresAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]), expired: Type.Boolean(),
}, { $id: 'ApiToken', examples: [{ id: '3f2c9a4e-8d1b-4c55-9a0e-2b7d0c1e9f10', name: 'backup-job', role: 'reader', createdAt: '2026-11-26T00:00:00.000Z', createdBy: 'alice@contoso.com', expiresAt: '2027-02-24T00:00:00.000Z', lastUsedAt: null, expired: false }] });

export const tokenRoutes: FastifyPluginAsync<{ tokens: ApiTokenStore }> = async (fastify, { tokens }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(ApiTokenSchema);

  app.post('/api/v1/tokens', {
    config: { auth: 'admin' },
    schema: {
      tags: ['tokens'], summary: 'Create a named API token; the secret is in this response only',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._ -]*$' }),
        role: RoleSchema,
        expiresInDays: Type.Integer({ minimum: 1, maximum: MAX_DAYS, default: 90 }),
      }, { additionalProperties: false, examples: [{ name: 'backup-job', role: 'reader', expiresInDays: 90 }] }),
      response: {
        201: Type.Intersect([Type.Ref('ApiToken'), Type.Object({ token: Type.String({ description: 'send as "Authorization: Bearer <token>"; shown once, never again' }) })]),
      },
    },
  }, async (request, reply) => {
    const { name, role, expiresInDays } = request.body;
    const created = await tokens.create({
      name, role: role as Role, expiresAt: new Date(Date.now() + expiresInDays * 86_400_000),
      createdBy: request.principal?.name ?? request.principal?.subject ?? 'unknown',
    });
    return reply.status(201).header('cache-control', 'no-store').send(created);
  });

  app.get('/api/v1/tokens', {
    config: { auth: 'admin' },
    schema: { tags: ['tokens'], summary: 'Named API tokens (never their secrets)', response: { 200: Type.Object({ items: Type.Array(Type.Ref('ApiToken')), total: Type.Integer() }) } },
  }, async () => {
    const items = await tokens.list();
    return { items, total: items.length };
  });

  app.delete('/api/v1/tokens/:id', {
    config: { auth: 'admin' },
    schema: { tags: ['tokens'], summary: 'Revoke a named API token (it stops working at once)', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null({ description: 'revoked' }) } },
  }, async (request, reply) => {
    if (!(await tokens.revoke(request.params.id))) throw new AppError('NOT_FOUND', `no API token with id ${request.params.id}`);
    return reply.status(204).send(null);
  });
};
