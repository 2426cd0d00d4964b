/**
 * The live stream over WebSocket, on the gateway's own HTTP server: the upgrade of GET /api/v1/stream is
 * authenticated like every operation (x-api-key or bearer header, or a single-use `?ticket=` for
 * browsers), a browser's Origin must be an allowed CORS origin, `?chargepoints=` and `?topics=` narrow
 * what the connection receives, and the hub's messages go out as text frames.
 * The upgrade passes none of Express's per-request limits, so what fails on it spends the address's budget
 * of failed authentications (the login guard's), and an address past it is refused before any lookup.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { grants } from '../auth/api-key.ts';
import { credentialsFromHeaders, type Authenticator } from '../auth/authenticator.ts';
import {
  DomainError,
  ForbiddenError,
  InvalidInputError,
  NotAuthenticatedError,
  TooManyAttemptsError,
  UnavailableError,
} from '../errors.ts';
import { PROBLEM_OF_ERROR, PROBLEMS } from '../http/problem-types.ts';
import { STREAM_CLOSE_CODES, type StreamConnection, type StreamSink } from './connection.ts';
import { outgoing } from './messages.ts';
import { parseNarrowing, readSubscription, type StreamNarrowing } from './narrowing.ts';
import type { StreamHub } from './stream-hub.ts';
import type { StreamLimits, TransportMetrics } from './limits.ts';
import type { StreamTickets, TicketHolder } from './tickets.ts';
import { textFrame } from './websocket-frame.ts';
import type { LoginGuard } from '../auth/login-guard.ts';

const STREAM_PATH = '/api/v1/stream';
/** Clients send nothing the stream needs; anything larger is closed with 1009 by ws. */
const MAX_CLIENT_MESSAGE_BYTES = 4096;
/** Above this many unsent bytes a connection is behind: its changes wait, coalesced per object. */
const BACKED_UP_BYTES = 64 * 1024;

export interface WebSocketStreamOptions {
  server: Server;
  hub: StreamHub;
  authenticator: Authenticator;
  tickets: StreamTickets;
  /** Browser origins allowed (CORS_ORIGINS); requests without an Origin (native apps) pass. */
  origins: readonly string[];
  limits: StreamLimits;
  /** The per-address budget of failed authentications (shared with logins): what fails on the upgrade counts against it. */
  guard: Pick<LoginGuard, 'addressBlocked' | 'failedWithoutUsername'>;
  /** The client's address, as `trust proxy` resolves it. */
  addressOf: (req: IncomingMessage) => string;
  metrics: TransportMetrics;
  /** A protocol ping this often; a peer that has not answered the previous one is dropped. */
  pingIntervalMs: number;
  logger: Logger;
}

/** A refused upgrade answers with the status the problem catalogue gives the error (503 for anything unexpected). */
function statusOf(error: unknown): number {
  return error instanceof DomainError ? PROBLEM_OF_ERROR[error.name].status : PROBLEMS.unavailable.status;
}

export function attachWebSocketStream(options: WebSocketStreamOptions): { close(): void } {
  const allowedOrigins = new Set(options.origins);
  // No permessage-deflate: the hub's frames are written whole to the socket, uncompressed (see serve).
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== STREAM_PATH) {
      refuse(socket, PROBLEMS.badRequest.status);
      return;
    }
    socket.on('error', () => socket.destroy());
    let narrowing: StreamNarrowing;
    try {
      // Before the credentials: a ticket is not used up by a request refused for its query.
      narrowing = parseNarrowing(url.searchParams);
    } catch (error) {
      refuse(socket, statusOf(error));
      return;
    }
    const address = options.addressOf(req);
    admitted(address, options)
      .then(() => authenticated(req, url, address, options, allowedOrigins))
      .then(
        (holder) => {
          const release = options.limits.acquire(holder.principal, address);
          if (typeof release === 'string') {
            options.metrics.refused.inc({ reason: release });
            refuse(socket, PROBLEMS.tooManyRequests.status);
            return;
          }
          socket.once('close', release);
          wss.handleUpgrade(req, socket, head, (ws) => {
            options.metrics.connections.inc({ transport: 'websocket' });
            ws.once('close', () => options.metrics.connections.dec({ transport: 'websocket' }));
            wss.emit('connection', ws, req);
            void serve(ws, socket, holder, narrowing, options);
          });
        },
        (error: unknown) => {
          if (!(error instanceof DomainError)) options.logger.warn({ err: (error as Error).message }, 'stream upgrade failed');
          const retryAfter =
            error instanceof TooManyAttemptsError || error instanceof UnavailableError ? error.retryAfterSeconds : undefined;
          refuse(socket, statusOf(error), retryAfter);
        },
      );
  };
  options.server.on('upgrade', onUpgrade);
  const answered = new WeakSet<WebSocket>();
  wss.on('connection', (ws: WebSocket) => {
    answered.add(ws);
    ws.on('pong', () => answered.add(ws));
  });
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!answered.delete(ws)) ws.terminate();
      else ws.ping();
    }
  }, options.pingIntervalMs);
  heartbeat.unref();
  return {
    close: () => {
      clearInterval(heartbeat);
      options.server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

/** Refuses (429) an address that used up its budget of failed authentications, before any credential is looked at. */
async function admitted(address: string, options: WebSocketStreamOptions): Promise<void> {
  const retryAfter = await options.guard.addressBlocked(address).catch(() => undefined);
  if (retryAfter !== undefined) throw new TooManyAttemptsError('Too many failed authentications from this address', retryAfter);
}

/** The holder of valid credentials; a refusal for the credentials (401, 403) counts as a failure of the address. */
async function authenticated(
  req: IncomingMessage,
  url: URL,
  address: string,
  options: WebSocketStreamOptions,
  allowedOrigins: Set<string>,
): Promise<TicketHolder> {
  try {
    return await holderOf(req, url, options, allowedOrigins);
  } catch (error) {
    if (error instanceof NotAuthenticatedError || error instanceof ForbiddenError)
      await options.guard.failedWithoutUsername(address).catch(() => undefined);
    throw error;
  }
}

/**
 * The gateway's own pages (the dashboard at `/`) open the stream from the host they were served from. The scheme
 * is left out: behind the TLS proxy the page is https while the upgrade reaches the gateway as http, with the
 * proxy's `Host` (nginx.conf). Another site cannot send this host as its Origin, which is what CSWSH needs.
 */
function sameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

async function holderOf(
  req: IncomingMessage,
  url: URL,
  options: WebSocketStreamOptions,
  allowedOrigins: Set<string>,
): Promise<TicketHolder> {
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins.has(origin) && !sameHost(origin, req.headers.host))
    throw new ForbiddenError(`Origin ${origin} may not open the stream`);
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const credentials = credentialsFromHeaders(header('x-api-key'), header('authorization'));
  const ticket = url.searchParams.get('ticket');
  if (ticket !== null) {
    if (credentials) throw new InvalidInputError('Send either credentials in a header or a ticket, not both');
    const holder = await options.tickets.redeem(ticket);
    if (!holder) throw new NotAuthenticatedError('The ticket is unknown, used or expired, or its credentials were revoked');
    return readable(holder);
  }
  if (!credentials) throw new NotAuthenticatedError('Missing credentials: send an API key, a bearer token, or ?ticket=');
  const principal = await options.authenticator.authenticate(credentials);
  if (!principal) throw new NotAuthenticatedError('The credentials are unknown, expired or revoked');
  return readable({ principal, reauthenticate: () => options.authenticator.authenticate(credentials) });
}

function readable(holder: TicketHolder): TicketHolder {
  if (!grants(holder.principal.scopes, 'read')) throw new ForbiddenError('The stream needs credentials with the read scope');
  return holder;
}

async function serve(
  ws: WebSocket,
  socket: Duplex,
  { principal, reauthenticate }: TicketHolder,
  narrowing: StreamNarrowing,
  options: WebSocketStreamOptions,
): Promise<void> {
  let connection: StreamConnection | undefined;
  // Messages go to the socket as whole frames built here (one buffer, one write per client); ws writes only
  // its control frames (ping, pong, close), also whole, so the two never interleave within a frame. Nothing
  // is written once the closing handshake has begun.
  const sink: StreamSink = {
    send: (seq, out) => {
      if (ws.readyState === ws.OPEN) socket.write(textFrame(seq, out.body));
    },
    get backedUp() {
      return socket.writableLength > BACKED_UP_BYTES;
    },
    close: (code, reason) => ws.close(code, reason),
  };
  // 'drain' follows a write that left more than the socket's high-water mark unsent, which BACKED_UP_BYTES is above.
  socket.on('drain', () => connection?.drained());
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    if (connection) options.hub.disconnect(connection);
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (connection) answer(ws, connection, isBinary ? '' : data.toString('utf8'), options);
  });
  try {
    connection = await options.hub.connect(principal, sink, reauthenticate, narrowing);
  } catch (error) {
    options.logger.warn({ err: (error as Error).message }, 'stream snapshot failed');
    ws.close(STREAM_CLOSE_CODES.unavailable, 'The live values cannot be read right now');
    return;
  }
  if (ws.readyState !== ws.OPEN) options.hub.disconnect(connection);
}

/** A client's message: a `subscribe` changes what the connection receives; anything else is answered with an error. */
function answer(ws: WebSocket, connection: StreamConnection, text: string, options: WebSocketStreamOptions): void {
  let narrowing: StreamNarrowing | undefined;
  try {
    narrowing = readSubscription(text);
  } catch (error) {
    const message = (error as Error).message.slice(0, 200);
    connection.sendNow(outgoing({ type: 'error', code: 'invalid-subscription', message }));
    return;
  }
  if (!narrowing) {
    connection.sendNow(outgoing({ type: 'error', code: 'unsupported-message', message: 'The stream accepts only subscribe messages' }));
    return;
  }
  options.hub.narrow(connection, narrowing).catch((error: unknown) => {
    options.logger.warn({ err: (error as Error).message }, 'stream snapshot failed');
    ws.close(STREAM_CLOSE_CODES.unavailable, 'The live values cannot be read right now');
  });
}

function refuse(socket: Duplex, status: number, retryAfterSeconds?: number): void {
  const retryAfter = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${retryAfter}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}
