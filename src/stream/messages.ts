/** The stream's messages (asyncapi.yaml), without the per-connection `seq` that each connection adds. */
import type { Schemas } from '../api/types.ts';

type WithoutSeq<T> = Omit<T, 'seq'>;

export type SnapshotMessage = WithoutSeq<Schemas['StreamSnapshot']>;
export type ChangedMessage = WithoutSeq<Schemas['StreamChanged']>;
export type StaleMessage = WithoutSeq<Schemas['StreamStale']>;
export type RemovedMessage = WithoutSeq<Schemas['StreamRemoved']>;
export type ErrorMessage = WithoutSeq<Schemas['StreamError']>;
export type StreamKind = Schemas['StreamObjectKind'];
export type StreamMessage = SnapshotMessage | ChangedMessage | StaleMessage | RemovedMessage | ErrorMessage;
export type ObjectMessage = ChangedMessage | StaleMessage | RemovedMessage;

/** A message and its JSON, serialised once and shared by every connection that may see it. */
export interface Outgoing<M extends StreamMessage = StreamMessage> {
  readonly message: M;
  readonly json: string;
}

export const outgoing = <M extends StreamMessage>(message: M): Outgoing<M> => ({ message, json: JSON.stringify(message) });

/** The frame of one connection: the shared JSON with this connection's `seq` put first. */
export const withSeq = (seq: number, json: string): string => `{"seq":${seq},${json.slice(1)}`;

/** Two messages about one object as one (latest wins per field), for a client that is behind. */
export function coalesce(earlier: ObjectMessage, later: ObjectMessage): ObjectMessage {
  // Gone is final; back again after gone, it comes whole (the hub sends every field of an object it did not know).
  if (later.type === 'removed' || earlier.type === 'removed') return later;
  if (later.type === 'changed') {
    return earlier.type === 'changed' ? { ...later, fields: { ...earlier.fields, ...later.fields } } : later;
  }
  return earlier.type === 'changed' ? { ...earlier, stale: true, updatedAt: later.updatedAt } : later;
}
