import type { RequestHandler } from 'express';
import type { Authenticator } from '../auth/authenticator.ts';
import { TooManyAttemptsError } from '../errors.ts';
import type { StreamConnection } from '../stream/connection.ts';
import type { StreamLimits, TransportMetrics } from '../stream/limits.ts';
import { parseNarrowing } from '../stream/narrowing.ts';
import { withSeq, type Outgoing } from '../stream/messages.ts';
import type { StreamHub } from '../stream/stream-hub.ts';
import { contextOf, setGatewayHeaders } from './request-context.ts';
import { credentialsOf, requirePrincipal } from './security.ts';

/** When a client refused for too many open streams may try again (one of its streams may have ended). */
const STREAM_RETRY_AFTER_S = 5;

export interface EventStreamDeps {
  hub: StreamHub;
  authenticator: Authenticator;
  limits: StreamLimits;
  metrics: TransportMetrics;
  pingIntervalMs: number;
}

/**
 * Before the security step of the stream operation: a request that carries a single-use `?ticket=` and a
 * narrowing the stream refuses is answered 400 without redeeming the ticket, so the client can correct its
 * URL and use the same ticket (the WebSocket upgrade checks its query first too). Without a ticket the usual
 * order stands: 401 before anything about the parameters.
 */
export const narrowingBeforeTicket: RequestHandler = (req, _res, next) => {
  const query = new URL(req.originalUrl, 'http://gateway').searchParams;
  if (query.has('ticket')) parseNarrowing(query);
  next();
};

/**
 * The live stream as Server-Sent Events, for a GET of the stream that accepts `text/event-stream` (after
 * the operation's security and limits): each message is one `data:` line of the same JSON the WebSocket
 * sends, narrowed by `?chargepoints=` and `?topics=` as on the WebSocket. Other requests go on to the operation's handler.
 */
export function eventStreamStep({ hub, authenticator, limits, metrics, pingIntervalMs }: EventStreamDeps): RequestHandler {
  return (req, res, next) => {
    if (!(req.header('accept') ?? '').includes('text/event-stream')) return next();
    const context = contextOf(res);
    const principal = requirePrincipal(context.principal);
    const credentials = credentialsOf(req);
    const reauthenticate = context.ticketReauthenticate ?? (credentials && (() => authenticator.authenticate(credentials)));
    if (!reauthenticate) return next();
    const narrowing = parseNarrowing(new URL(req.originalUrl, 'http://gateway').searchParams);
    const release = limits.acquire(principal, req.ip ?? '');
    if (typeof release === 'string') {
      metrics.refused.inc({ reason: release });
      throw new TooManyAttemptsError(`Too many open streams (${release})`, STREAM_RETRY_AFTER_S);
    }
    metrics.connections.inc({ transport: 'sse' });
    setGatewayHeaders(res);
    // X-Accel-Buffering: a reverse proxy (nginx) passes each event on at once instead of buffering.
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    let connection: StreamConnection | undefined;
    // Nothing is written once the response ended (a write after the end would be an error event).
    const write = (text: string) => {
      if (!res.writableEnded) res.write(text);
    };
    const sink = {
      send: (seq: number, out: Outgoing) => write(`data: ${withSeq(seq, out)}\n\n`),
      get backedUp() {
        return res.writableNeedDrain;
      },
      // An event stream has no close code: the client sees the response end.
      close: () => res.end(),
    };
    res.on('drain', () => connection?.drained());
    // A comment line now and then keeps proxies from closing a quiet stream and finds dead peers.
    const heartbeat = setInterval(() => write(': ping\n\n'), pingIntervalMs);
    res.on('close', () => {
      clearInterval(heartbeat);
      release();
      metrics.connections.dec({ transport: 'sse' });
      if (connection) hub.disconnect(connection);
    });
    hub.connect(principal, sink, reauthenticate, narrowing).then(
      (connected) => {
        connection = connected;
        if (res.destroyed) hub.disconnect(connected);
      },
      () => res.end(),
    );
  };
}
