/** The stream's messages (asyncapi.yaml), without the per-connection `seq` that each connection adds. */
import type { Schemas } from '../api/types.ts';
import type { GatewayEvent } from '../events/gateway-events.ts';

type WithoutSeq<T> = Omit<T, 'seq'>;

export type SnapshotMessage = WithoutSeq<Schemas['StreamSnapshot']>;
export type ChangedMessage = WithoutSeq<Schemas['StreamChanged']>;
export type StaleMessage = WithoutSeq<Schemas['StreamStale']>;
export type RemovedMessage = WithoutSeq<Schemas['StreamRemoved']>;
export type ErrorMessage = WithoutSeq<Schemas['StreamError']>;
export type EventMessage =
  | WithoutSeq<Schemas['StreamSessionEvent']>
  | WithoutSeq<Schemas['StreamCommandEvent']>
  | WithoutSeq<Schemas['StreamRfidEvent']>
  | WithoutSeq<Schemas['StreamConnectionEvent']>;
export type StreamKind = Schemas['StreamObjectKind'];
export type StreamMessage = SnapshotMessage | ChangedMessage | StaleMessage | RemovedMessage | ErrorMessage | EventMessage;
export type ObjectMessage = ChangedMessage | StaleMessage | RemovedMessage;
/** What may wait for a connection's transport, one per object or event subject. */
export type QueuedMessage = ObjectMessage | EventMessage;

/** A message and its JSON, serialised once and shared by every connection that may see it. */
export class Outgoing<M extends StreamMessage = StreamMessage> {
  readonly json: string;
  private encodedBody: Buffer | undefined;

  constructor(readonly message: M) {
    this.json = JSON.stringify(message);
  }

  /**
   * The UTF-8 of the JSON after its opening brace, encoded once: a connection's frame is its own
   * `{"seq":N,` followed by these bytes, so a fan-out to 1,000 clients encodes the message once, not 1,000 times.
   */
  get body(): Buffer {
    return (this.encodedBody ??= Buffer.from(this.json.slice(1)));
  }
}

export const outgoing = <M extends StreamMessage>(message: M): Outgoing<M> => new Outgoing(message);

/** The `seq` a connection puts first in each of its messages, before the shared body. */
export const seqPrefix = (seq: number): string => `{"seq":${seq},`;

/** The message as one connection sends it, as text: the shared JSON with the connection's `seq` put first. */
export const withSeq = (seq: number, out: Outgoing): string => `${seqPrefix(seq)}${out.json.slice(1)}`;

/** An event as the stream sends it (what decides who sees it, such as a command's owner, stays behind). */
export function eventMessage(event: GatewayEvent): EventMessage {
  switch (event.type) {
    case 'session':
      return { type: 'session', change: event.change, session: event.session };
    case 'command':
      return { type: 'command', command: event.command };
    case 'rfid':
      return { type: 'rfid', rfidEvent: event.rfidEvent };
    case 'connection':
      return { type: 'connection', connected: event.connected, at: event.at };
  }
}

/** The subject an event is about: a client that is behind gets its latest state once. */
export function eventKey(message: EventMessage): string {
  switch (message.type) {
    case 'session':
      return `session:${message.session.id}`;
    case 'command':
      return `command:${message.command.id}`;
    case 'rfid':
      return `rfid:${message.rfidEvent.id}`;
    case 'connection':
      return 'connection';
  }
}

const isObjectMessage = (message: QueuedMessage): message is ObjectMessage =>
  message.type === 'changed' || message.type === 'stale' || message.type === 'removed';

/** Two messages about one subject as one, for a client that is behind: fields merged (latest wins), an event's latest state. */
export function coalesce(earlier: QueuedMessage, later: QueuedMessage): QueuedMessage {
  if (!isObjectMessage(earlier) || !isObjectMessage(later)) {
    // A session the client has not heard of yet stays `started`, with the latest figures.
    if (earlier.type === 'session' && later.type === 'session' && earlier.change === 'started' && later.change === 'updated')
      return { ...later, change: 'started' };
    return later;
  }
  // Gone is final; back again after gone, it comes whole (the hub sends every field of an object it did not know).
  if (later.type === 'removed' || earlier.type === 'removed') return later;
  if (later.type === 'changed') {
    return earlier.type === 'changed' ? { ...later, fields: { ...earlier.fields, ...later.fields } } : later;
  }
  return earlier.type === 'changed' ? { ...earlier, stale: true, updatedAt: later.updatedAt } : later;
}
