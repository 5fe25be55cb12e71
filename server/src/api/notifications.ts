/** Notifications API (issue 6): list, mark one read, mark all read — read state per user. */
import Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { NotificationService } from '../events/notifications.ts';
import type { PrincipalSources } from '../auth/principal.ts';
import { requireRole } from './authorize.ts';

const NotificationSchema = Type.Object({
  id: Type.String(), key: Type.Union([Type.String(), Type.Null()]),
  level: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('error')]),
  category: Type.String(), title: Type.String(), message: Type.String(),
  resource: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  occurrences: Type.Integer(), createdAt: Type.String(), updatedAt: Type.String(), read: Type.Boolean(),
});

export const notificationRoutes: FastifyPluginAsync<{ notifications: NotificationService; auth: PrincipalSources }> = async (fastify, { notifications, auth }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const reader = requireRole(auth, 'reader');
  const subjectOf = (request: { principal?: { subject: string } }) => request.principal?.subject ?? 'anonymous';

  app.get('/api/v1/notifications', {
    preHandler: reader,
    schema: {
      tags: ['notifications'], summary: 'Notifications, newest first, with your read state',
      querystring: Type.Object({ unread: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })) }),
      response: { 200: Type.Object({ items: Type.Array(NotificationSchema), total: Type.Integer(), unread: Type.Integer() }) },
    },
  }, async (request) => notifications.list(subjectOf(request), { unreadOnly: request.query.unread, limit: request.query.limit, offset: request.query.offset }));

  app.post('/api/v1/notifications/:id/read', {
    preHandler: reader,
    schema: { tags: ['notifications'], summary: 'Mark one notification read (for you)', params: Type.Object({ id: Type.String() }), response: { 200: NotificationSchema } },
  }, async (request) => notifications.markRead(subjectOf(request), request.params.id));

  app.post('/api/v1/notifications/read-all', {
    preHandler: reader,
    schema: { tags: ['notifications'], summary: 'Mark every notification read (for you)', response: { 200: Type.Object({ marked: Type.Integer() }) } },
  }, async (request) => ({ marked: await notifications.markAllRead(subjectOf(request)) }));
};
