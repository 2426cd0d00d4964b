import { describe, expect, it } from 'vitest';
import { makePrincipal } from '../../../src/auth/principal.ts';
import type { GatewayEvent } from '../../../src/events/gateway-events.ts';
import { InvalidInputError } from '../../../src/errors.ts';
import { receives, streamsEvent } from '../../../src/stream/event-visibility.ts';
import { EVERYTHING, parseNarrowing, readSubscription } from '../../../src/stream/narrowing.ts';

const parse = (query: string) => parseNarrowing(new URLSearchParams(query));

describe('parseNarrowing', () => {
  it('gives everything without parameters, and reads comma-separated (or repeated) lists', () => {
    expect(parse('')).toEqual(EVERYTHING);
    expect(parse('ticket=st_x')).toEqual(EVERYTHING);
    expect(parse('chargepoints=3,4')).toEqual({ ...EVERYTHING, chargepoints: new Set(['3', '4']) });
    expect(parse('chargepoints=3&chargepoints=4').chargepoints).toEqual(new Set(['3', '4']));
    expect(parse('topics=values')).toEqual({ chargepoints: null, values: true, events: new Set() });
    expect(parse('topics=events')).toEqual({
      chargepoints: null,
      values: false,
      events: new Set(['session', 'command', 'rfid', 'connection']),
    });
    expect(parse('topics=commands,rfid')).toEqual({ chargepoints: null, values: false, events: new Set(['command', 'rfid']) });
  });

  it.each([
    ['topics=everything', 'topics: "everything" is not one of'],
    ['topics=values,', 'topics: an empty item'],
    ['chargepoints=', 'chargepoints: an empty item'],
    ['chargepoints=3%204', 'chargepoints: "3 4" is not a chargepoint id'],
    [`chargepoints=${Array.from({ length: 101 }, (_, i) => i).join(',')}`, 'chargepoints: at most 100'],
    ['chargepoint=3', 'chargepoint: not a parameter of the stream'],
  ])('refuses %s', (query, message) => {
    expect(() => parse(query)).toThrow(InvalidInputError);
    expect(() => parse(query)).toThrow(message);
  });
});

describe('readSubscription', () => {
  it('reads a subscribe message as the URL narrowing, and tells other messages apart', () => {
    expect(readSubscription('{"type":"subscribe"}')).toEqual(EVERYTHING);
    expect(readSubscription('{"type":"subscribe","chargepoints":["4"],"topics":["values","commands"]}')).toEqual({
      chargepoints: new Set(['4']),
      values: true,
      events: new Set(['command']),
    });
    for (const other of ['{not json', '"subscribe"', '[]', 'null', '{"type":"hello"}', '']) expect(readSubscription(other)).toBeUndefined();
  });

  it.each([
    ['{"type":"subscribe","what":"everything"}', 'what: not a property of subscribe'],
    ['{"type":"subscribe","chargepoints":"3"}', 'chargepoints: a non-empty array of strings'],
    ['{"type":"subscribe","chargepoints":[]}', 'chargepoints: a non-empty array of strings'],
    ['{"type":"subscribe","chargepoints":[3]}', 'chargepoints: a non-empty array of strings'],
    ['{"type":"subscribe","topics":["values","gossip"]}', 'topics: "gossip" is not one of'],
    ['{"type":"subscribe","chargepoints":["../4"]}', 'chargepoints: "../4" is not a chargepoint id'],
  ])('refuses %s', (text, message) => {
    expect(() => readSubscription(text)).toThrow(InvalidInputError);
    expect(() => readSubscription(text)).toThrow(message);
  });
});

describe('who receives an event', () => {
  const admin = makePrincipal({ kind: 'apiKey', id: 'a', userId: null, name: 'admin', role: 'admin', scopes: ['read'] });
  const adminOfFour = makePrincipal({
    kind: 'apiKey',
    id: 'b',
    userId: 'b',
    name: 'b',
    role: 'admin',
    scopes: ['read'],
    keyChargepoints: ['4'],
  });
  const alice = makePrincipal({
    kind: 'token',
    id: 't',
    userId: 'alice',
    name: 'alice',
    role: 'user',
    scopes: ['read'],
    userChargepoints: ['3'],
  });
  const bob = makePrincipal({
    kind: 'token',
    id: 'u',
    userId: 'bob',
    name: 'bob',
    role: 'user',
    scopes: ['read'],
    userChargepoints: ['3', '4'],
  });
  const session = (chargepointId: string, userId: string | null) =>
    ({
      type: 'session',
      change: 'updated',
      session: { chargepointId, user: userId && { id: userId, name: userId } },
    }) as unknown as GatewayEvent;
  const command = (target: { type: 'chargepoint' | 'vehicle'; id: string }, ownerId: string | null) =>
    ({ type: 'command', command: { target }, ownerId }) as unknown as GatewayEvent;
  const rfid = (chargepointId: string, userId: string | null) =>
    ({ type: 'rfid', rfidEvent: { chargepointId, userId } }) as unknown as GatewayEvent;
  const connection: GatewayEvent = { type: 'connection', connected: false, at: '2026-05-20T12:00:00.000Z' };

  it('gives admins everything on their chargepoints, users their own on theirs, everyone the broker connection', () => {
    for (const event of [session('3', 'alice'), command({ type: 'chargepoint', id: '3' }, 'alice'), rfid('3', 'alice')]) {
      expect([admin, adminOfFour, alice, bob].map((p) => receives(p, EVERYTHING, event))).toEqual([true, false, true, false]);
    }
    for (const event of [session('4', null), rfid('4', null)]) {
      expect([admin, adminOfFour, alice, bob].map((p) => receives(p, EVERYTHING, event))).toEqual([true, true, false, false]);
    }
    expect([admin, adminOfFour, alice, bob].map((p) => receives(p, EVERYTHING, command({ type: 'vehicle', id: '1' }, 'bob')))).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect([admin, adminOfFour, alice, bob].map((p) => receives(p, EVERYTHING, connection))).toEqual([true, true, true, true]);
  });

  it('narrows by topic and chargepoint, never widening what the principal may see', () => {
    expect(receives(admin, parse('topics=values'), connection)).toBe(false);
    expect(receives(admin, parse('topics=connection'), connection)).toBe(true);
    expect(receives(admin, parse('chargepoints=4'), connection)).toBe(true);
    expect(receives(admin, parse('chargepoints=4'), session('3', null))).toBe(false);
    expect(receives(admin, parse('chargepoints=3&topics=sessions'), session('3', null))).toBe(true);
    expect(receives(admin, parse('chargepoints=3&topics=commands'), session('3', null))).toBe(false);
    expect(receives(alice, parse('chargepoints=4'), session('4', 'alice'))).toBe(false);
  });

  it("streams another instance's broker connection only on an instance that does not ingest", () => {
    const ingests = [true, false];
    expect(ingests.map((ingesting) => streamsEvent(connection, 'local', ingesting))).toEqual([true, true]);
    expect(ingests.map((ingesting) => streamsEvent(connection, 'remote', ingesting))).toEqual([false, true]);
    for (const event of [session('3', null), command({ type: 'chargepoint', id: '3' }, null), rfid('3', null)])
      expect(ingests.map((ingesting) => streamsEvent(event, 'remote', ingesting))).toEqual([true, true]);
  });
});
