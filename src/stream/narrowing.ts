/**
 * What one connection asked to receive, from the stream URL's query (`?chargepoints=3,4&topics=values,events`),
 * the same for WebSocket and Server-Sent Events, or from a WebSocket client's `subscribe` message. It narrows
 * what the principal may see, never widens it.
 */
import type { Schemas } from '../api/types.ts';
import { InvalidInputError } from '../errors.ts';
import { EVENT_TYPES, type EventType } from '../events/gateway-events.ts';

export type StreamTopic = Schemas['StreamTopic'];

export interface StreamNarrowing {
  /** Only these chargepoints' values and events (null: every chargepoint the principal may see). */
  readonly chargepoints: ReadonlySet<string> | null;
  /** The snapshot objects and their `changed`, `stale` and `removed` messages. */
  readonly values: boolean;
  readonly events: ReadonlySet<EventType>;
}

export const EVERYTHING: StreamNarrowing = Object.freeze({ chargepoints: null, values: true, events: new Set(EVENT_TYPES) });

const EVENTS_OF_TOPIC: Record<Exclude<StreamTopic, 'values'>, readonly EventType[]> = {
  events: EVENT_TYPES,
  sessions: ['session'],
  commands: ['command'],
  rfid: ['rfid'],
  connection: ['connection'],
};
const TOPICS = new Set<string>(['values', ...Object.keys(EVENTS_OF_TOPIC)]);
const ENTITY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_CHARGEPOINTS = 100;
/** Query parameters of the stream URL; anything else is refused, so a misspelt narrowing does not pass unnoticed. */
const PARAMETERS = new Set(['ticket', 'chargepoints', 'topics']);

/** The narrowing a stream URL asks for; InvalidInputError (400) for anything the spec does not allow. */
export function parseNarrowing(query: URLSearchParams): StreamNarrowing {
  for (const name of query.keys()) {
    if (!PARAMETERS.has(name)) throw new InvalidInputError(`${name}: not a parameter of the stream (use chargepoints, topics, ticket)`);
  }
  return narrowingOf({ chargepoints: listOf(query, 'chargepoints'), topics: listOf(query, 'topics') });
}

/**
 * The narrowing a client's WebSocket message asks for; undefined when it is not a `subscribe` message,
 * InvalidInputError when it is one the stream cannot follow.
 */
export function readSubscription(text: string): StreamNarrowing | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message) || (message as { type?: unknown }).type !== 'subscribe')
    return undefined;
  const { type: _type, chargepoints, topics, ...rest } = message as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new InvalidInputError(`${unknown.slice(0, 40)}: not a property of subscribe (use chargepoints, topics)`);
  return narrowingOf({ chargepoints: stringsOf(chargepoints, 'chargepoints'), topics: stringsOf(topics, 'topics') });
}

function stringsOf(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string'))
    throw new InvalidInputError(`${name}: a non-empty array of strings`);
  if (value.some((item) => item === '')) throw new InvalidInputError(`${name}: an empty item`);
  return value as string[];
}

function narrowingOf({ chargepoints, topics }: { chargepoints?: string[]; topics?: string[] }): StreamNarrowing {
  if (chargepoints) {
    const bad = chargepoints.find((id) => !ENTITY_ID.test(id));
    if (bad !== undefined) throw new InvalidInputError(`chargepoints: ${JSON.stringify(bad.slice(0, 40))} is not a chargepoint id`);
    if (chargepoints.length > MAX_CHARGEPOINTS) throw new InvalidInputError(`chargepoints: at most ${MAX_CHARGEPOINTS}`);
  }
  if (!topics) return { ...EVERYTHING, chargepoints: chargepoints ? new Set(chargepoints) : null };
  const unknown = topics.find((topic) => !TOPICS.has(topic));
  if (unknown !== undefined) {
    throw new InvalidInputError(`topics: ${JSON.stringify(unknown.slice(0, 40))} is not one of ${[...TOPICS].join(', ')}`);
  }
  const events = new Set<EventType>();
  for (const topic of topics)
    if (topic !== 'values') for (const type of EVENTS_OF_TOPIC[topic as keyof typeof EVENTS_OF_TOPIC]) events.add(type);
  return { chargepoints: chargepoints ? new Set(chargepoints) : null, values: topics.includes('values'), events };
}

/** A comma-separated list, also given as repeated parameters; undefined when absent, 400 when empty. */
function listOf(query: URLSearchParams, name: string): string[] | undefined {
  const given = query.getAll(name);
  if (given.length === 0) return undefined;
  const items = given.flatMap((value) => value.split(','));
  if (items.some((item) => item === '')) throw new InvalidInputError(`${name}: an empty item (give a comma-separated list)`);
  return items;
}
