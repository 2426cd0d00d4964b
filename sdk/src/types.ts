import type { components } from './generated/openapi.ts';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type TokenPair = Schemas['TokenPair'];
export type StreamTicket = Schemas['StreamTicket'];
export type StreamSnapshot = Schemas['StreamSnapshot'];
export type StreamChanged = Schemas['StreamChanged'];
export type StreamStale = Schemas['StreamStale'];
export type StreamError = Schemas['StreamError'];

/** Every message of `GET /api/v1/stream` (asyncapi.yaml), discriminated by `type`. */
export type StreamMessage = StreamSnapshot | StreamChanged | StreamStale | StreamError;
