import { InvalidInputError, NotAuthenticatedError } from '../errors.ts';
import { json, type HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import type { StreamTickets } from './tickets.ts';

type StreamHandlers = Pick<HandlerTable, 'openStream' | 'createStreamTicket'>;

export function streamHandlers(tickets: StreamTickets): StreamHandlers {
  return {
    // The stream itself is served on the upgrade (src/stream/websocket.ts): a plain GET reaches here.
    openStream: () => {
      throw new InvalidInputError('Open the stream as a WebSocket: send Connection: Upgrade and Upgrade: websocket');
    },
    createStreamTicket: async ({ principal, credentials }) => {
      requirePrincipal(principal);
      if (!credentials) throw new NotAuthenticatedError('A stream ticket needs credentials in a header');
      const { ticket, expiresAt } = await tickets.issue(credentials);
      return json(201, { ticket, expiresAt: new Date(expiresAt).toISOString() }, { 'Cache-Control': 'no-store' });
    },
  };
}
