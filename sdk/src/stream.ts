import { backoffDelay, type BackoffOptions } from './backoff.ts';
import type { StreamMessage } from './types.ts';

/** The part of a WebSocket the stream uses: the browser's, Node 22's and `ws`'s all have it. */
export interface StreamSocket {
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
  addEventListener(type: 'close', listener: (event: CloseEventLike) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEventLike) => void): void;
}

/** A WebSocket that can send headers on the upgrade (Node: `import WebSocket from 'ws'`). */
export type HeaderWebSocketConstructor = new (url: string, options: { headers: Record<string, string> }) => StreamSocket;
/** A WebSocket without headers (browsers, React Native, Node 22's global): the stream authenticates with a ticket. */
export type PlainWebSocketConstructor = new (url: string) => StreamSocket;

/** Close codes the gateway sends (asyncapi.yaml), and the one the client uses when it sees a `seq` gap. */
export const STREAM_CLOSE = {
  normal: 1000,
  shutdown: 1001,
  tooLarge: 1009,
  unavailable: 1011,
  tooSlow: 4008,
  credentialsInvalid: 4401,
  forbidden: 4403,
  /** Sent by this client: a `seq` skipped a number, so a message was lost; a new connection brings a fresh snapshot. */
  gap: 4000,
} as const;

export interface StreamEnd {
  code: number;
  reason: string;
  /** 4401 (or a refused upgrade) that a refresh could not cure: log in again, or the API key was revoked. */
  reauthenticate: boolean;
}

export interface StreamDisconnect {
  code: number;
  reason: string;
  /** Milliseconds until the next connection; undefined when the stream ends. */
  reconnectInMs: number | undefined;
}

export interface StreamOptions {
  /**
   * A WebSocket that sends the credentials as headers on the upgrade (Node: `ws`). Without it the runtime's
   * WebSocket is used with a single-use ticket from `POST /api/v1/stream/tickets`.
   */
  WebSocket?: HeaderWebSocketConstructor;
  /** A header-less WebSocket to use instead of `globalThis.WebSocket` (a ticket is fetched for each connection). */
  PlainWebSocket?: PlainWebSocketConstructor;
  backoff?: BackoffOptions;
  /** Each message: a fresh `snapshot` first on every (re)connection, then `changed`, `stale`, `error`. */
  onMessage(message: StreamMessage): void;
  onDisconnect?(event: StreamDisconnect): void;
  /** Failures to connect (a refused ticket, a network error), before the next attempt. */
  onError?(error: unknown): void;
}

export interface GatewayStream {
  /** Ends the stream for good (no reconnect). */
  close(): void;
  /** Settles when the stream ends: after `close()`, 4403, or credentials that cannot be renewed. */
  readonly closed: Promise<StreamEnd>;
}

/** What the stream needs of the client: where, how to authenticate, how to renew a session. */
export interface StreamAuth {
  baseUrl: string;
  headers(): Record<string, string>;
  /** Renews the session's tokens; false when there is no session (an API key) or the refresh was refused. */
  renew(): Promise<boolean>;
  ticket(): Promise<string>;
}

export interface MessageEventLike {
  data: unknown;
}
export interface CloseEventLike {
  code: number;
  reason: string;
}
export interface ErrorEventLike {
  message?: string;
  error?: unknown;
}

export function openGatewayStream(auth: StreamAuth, options: StreamOptions): GatewayStream {
  const url = `${auth.baseUrl.replace(/^http/, 'ws')}/api/v1/stream`;
  let socket: StreamSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let ended = false;
  let finish: (end: StreamEnd) => void = () => {};
  const closed = new Promise<StreamEnd>((resolve) => (finish = resolve));

  const end = (result: StreamEnd) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    options.onDisconnect?.({ code: result.code, reason: result.reason, reconnectInMs: undefined });
    finish(result);
  };

  const schedule = (code: number, reason: string) => {
    const delay = backoffDelay(attempt++, options.backoff);
    options.onDisconnect?.({ code, reason, reconnectInMs: delay });
    timer = setTimeout(() => void connect(), delay);
  };

  const reauthenticate = async (code: number, reason: string) => {
    if (await auth.renew().catch(() => false)) schedule(code, reason);
    else end({ code, reason, reauthenticate: true });
  };

  const connect = async () => {
    if (ended) return;
    let current: StreamSocket;
    try {
      current = await createSocket(url, auth, options);
    } catch (error) {
      options.onError?.(error);
      if (refusedStatus(error) === 401) return reauthenticate(STREAM_CLOSE.credentialsInvalid, 'Credentials refused');
      if (refusedStatus(error) === 403) return end({ code: STREAM_CLOSE.forbidden, reason: 'Forbidden', reauthenticate: false });
      return schedule(1006, error instanceof Error ? error.message : 'Could not connect');
    }
    if (ended) return current.close(STREAM_CLOSE.normal);
    socket = current;
    let expectedSeq = 1;
    let refusedUpgrade: number | undefined;
    current.addEventListener('message', (event: MessageEventLike) => {
      if (socket !== current) return;
      const message = parseMessage(event.data);
      if (!message || message.seq !== expectedSeq) {
        socket = undefined;
        current.close(STREAM_CLOSE.gap, `Expected seq ${expectedSeq}`);
        return schedule(STREAM_CLOSE.gap, `Expected seq ${expectedSeq}, got ${message?.seq ?? 'no message'}`);
      }
      expectedSeq += 1;
      if (message.type === 'snapshot') attempt = 0;
      options.onMessage(message);
    });
    current.addEventListener('error', (event: ErrorEventLike) => {
      const error = event.error ?? event.message;
      refusedUpgrade = refusedStatus(error);
      options.onError?.(error);
    });
    current.addEventListener('close', (event: CloseEventLike) => {
      if (socket !== current) return;
      socket = undefined;
      const code = refusedUpgrade === 401 ? STREAM_CLOSE.credentialsInvalid : refusedUpgrade === 403 ? STREAM_CLOSE.forbidden : event.code;
      const reason = String(event.reason ?? '');
      if (ended) return;
      if (code === STREAM_CLOSE.credentialsInvalid) return void reauthenticate(code, reason);
      if (code === STREAM_CLOSE.forbidden) return end({ code, reason, reauthenticate: false });
      schedule(code, reason);
    });
  };

  void connect();
  return {
    close() {
      const current = socket;
      socket = undefined;
      current?.close(STREAM_CLOSE.normal, 'Closed by the client');
      end({ code: STREAM_CLOSE.normal, reason: 'Closed by the client', reauthenticate: false });
    },
    closed,
  };
}

async function createSocket(url: string, auth: StreamAuth, options: StreamOptions): Promise<StreamSocket> {
  if (options.WebSocket) return new options.WebSocket(url, { headers: auth.headers() });
  const Plain = options.PlainWebSocket ?? globalWebSocket();
  if (!Plain) throw new Error('No WebSocket in this runtime: pass `WebSocket` (e.g. from the ws package)');
  const ticket = await auth.ticket();
  return new Plain(`${url}?ticket=${encodeURIComponent(ticket)}`);
}

function globalWebSocket(): PlainWebSocketConstructor | undefined {
  const candidate: unknown = Reflect.get(globalThis, 'WebSocket');
  return typeof candidate === 'function' ? (candidate as PlainWebSocketConstructor) : undefined;
}

/** The HTTP status of a refused upgrade (`ws`: "Unexpected server response: 401") or of a refused ticket. */
function refusedStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') return error.status;
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = /Unexpected server response: (\d{3})/.exec(text);
  return match ? Number(match[1]) : undefined;
}

function parseMessage(data: unknown): StreamMessage | undefined {
  const text = typeof data === 'string' ? data : data instanceof Uint8Array ? new TextDecoder().decode(data) : undefined;
  if (text === undefined) return undefined;
  try {
    const message: unknown = JSON.parse(text);
    if (typeof message === 'object' && message !== null && 'seq' in message && 'type' in message) return message as StreamMessage;
  } catch {
    // Not JSON: treated like a lost message.
  }
  return undefined;
}
