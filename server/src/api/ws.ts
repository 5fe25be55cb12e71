/**
 * GET /ws: the live event stream (issue 6). Messages from the client:
 * `{"action":"subscribe","topics":["inventory"],"lastSeq":123}`, `unsubscribe`, `ping`.
 * From the server: `{topic, type, seq, time, data}` events and control messages
 * (`welcome`, `subscribed`, `reload`, `pong`, `error`). A connection carries its principal;
 * the hub lets it subscribe only to what its role may read.
 *
 * Authentication (authorize.ts, before the upgrade completes): the session cookie — only from a
 * page of our own origin — or a bearer token as the subprotocol pair `bearer, <token>`; never
 * a token in the URL. Without a reader principal the connection is closed with 1008.
 */
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocketHub } from '../events/hub.ts';

export const webSocketRoutes: FastifyPluginAsync<{ hub: WebSocketHub }> = async (app, { hub }) => {
  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // A browser that sent "bearer, <token>" needs one protocol echoed back, or it aborts.
      handleProtocols: (protocols) => (protocols.has('bearer') ? 'bearer' : false),
    },
  });
  app.get('/ws', {
    websocket: true,
    config: { auth: 'reader', authInHandler: true },
    schema: { tags: ['events'], summary: 'Live events over WebSocket (subscribe to inventory, hosts, jobs, jobs:<id>, notifications)' },
  }, (socket, request) => {
    const principal = request.principal;
    if (!principal) {
      request.log.info({ reason: request.authFailure }, 'WebSocket refused');
      socket.close(1008, 'authentication required');
      return;
    }
    const handlers = hub.attach(socket, principal);
    socket.on('message', (data) => handlers.onMessage(String(data)));
    socket.on('pong', handlers.onPong);
    socket.on('close', handlers.onClose);
    socket.on('error', handlers.onClose);
  });
};
