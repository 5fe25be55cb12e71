/**
 * GET /ws: the live event stream (issue 6). Messages from the client:
 * `{"action":"subscribe","topics":["inventory"],"lastSeq":123}`, `unsubscribe`, `ping`.
 * From the server: `{topic, type, seq, time, data}` events and control messages
 * (`welcome`, `subscribed`, `reload`, `pong`, `error`). A connection carries its principal;
 * unauthenticated connections are closed with 1008.
 */
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocketHub } from '../events/hub.ts';
import { resolvePrincipal, type PrincipalSources } from '../auth/principal.ts';

export const webSocketRoutes: FastifyPluginAsync<{ hub: WebSocketHub; auth: PrincipalSources }> = async (app, { hub, auth }) => {
  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // A browser that sent "bearer, <token>" needs one protocol echoed back, or it aborts.
      handleProtocols: (protocols) => (protocols.has('bearer') ? 'bearer' : false),
    },
  });
  app.get('/ws', { websocket: true, schema: { tags: ['events'], summary: 'Live events over WebSocket (subscribe to inventory, hosts, jobs, jobs:<id>, notifications)' } }, (socket, request) => {
    // Browsers cannot set Authorization on a WebSocket: a bearer token may come as the
    // subprotocol "bearer, <token>" (never in the URL, which ends up in logs).
    const protocols = String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const bearer = protocols[0]?.toLowerCase() === 'bearer' && protocols[1] ? `Bearer ${protocols[1]}` : undefined;
    const principal = resolvePrincipal(auth, request.headers.authorization ?? bearer);
    if (!principal) {
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
