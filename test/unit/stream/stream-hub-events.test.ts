import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SystemDto } from '../../../src/api/types.ts';
import { makePrincipal, type Principal } from '../../../src/auth/principal.ts';
import { localEventBus, type EventBus, type GatewayEvent } from '../../../src/events/gateway-events.ts';
import { LiveModel } from '../../../src/live/live-model.ts';
import { MemoryLiveStore } from '../../../src/live/memory-store.ts';
import { parseNarrowing } from '../../../src/stream/narrowing.ts';
import { StreamHub } from '../../../src/stream/stream-hub.ts';
import { RecordingSink } from './recording-sink.ts';

const SYSTEM = { openwb: {}, broker: { connected: true }, gateway: {} } as unknown as SystemDto;
const admin = makePrincipal({ kind: 'apiKey', id: 'a', userId: null, name: 'admin', role: 'admin', scopes: ['read'] });
const alice = makePrincipal({
  kind: 'token',
  id: 't',
  userId: 'alice',
  name: 'alice',
  role: 'user',
  scopes: ['read'],
  userChargepoints: ['3'],
});

const session = (change: 'started' | 'updated' | 'ended', energy: number, userId: string | null = null): GatewayEvent =>
  ({
    type: 'session',
    change,
    session: { id: 's1', chargepointId: '3', energy, user: userId && { id: userId, name: userId } },
  }) as unknown as GatewayEvent;
const command = (status: string): GatewayEvent =>
  ({
    type: 'command',
    command: { id: 'c1', status, target: { type: 'chargepoint', id: '3' } },
    ownerId: 'alice',
  }) as unknown as GatewayEvent;

describe('StreamHub events', () => {
  let store: MemoryLiveStore;
  let bus: EventBus;
  let hub: StreamHub;
  const resubscribed = new Set<() => void>();
  const connect = async (principal: Principal, query = '') => {
    const sink = new RecordingSink();
    const connection = await hub.connect(principal, sink, () => principal, parseNarrowing(new URLSearchParams(query)));
    return { sink, connection };
  };

  beforeEach(async () => {
    vi.useFakeTimers({ now: Date.parse('2026-05-20T12:00:00Z') });
    store = new MemoryLiveStore();
    bus = localEventBus();
    hub = new StreamHub({
      live: new LiveModel(store),
      updates: () => () => undefined,
      events: (listener) => bus.subscribe((event) => listener(event)),
      resubscribed: (listener) => {
        resubscribed.add(listener);
        return () => resubscribed.delete(listener);
      },
      system: async () => SYSTEM,
      staleAfterMs: 60_000,
      reauthenticateMs: 5_000,
      stallLimitMs: 30_000,
      logger: { warn: () => undefined },
    });
    await store.apply([{ kind: 'chargepoint', id: '3', field: 'power', value: 1000, receivedAt: Date.now() }]);
    await hub.start();
  });

  afterEach(() => {
    hub.stop();
    vi.useRealTimers();
  });

  it('sends every connection a fresh snapshot under its narrowing when events may have been missed', async () => {
    const [all, mine] = [await connect(admin), await connect(alice, 'topics=values,sessions')];
    bus.publish(session('started', 1, 'alice'));
    expect(resubscribed.size).toBe(1);
    for (const listener of resubscribed) listener();
    await vi.waitFor(() => expect(mine.sink.frames).toHaveLength(3));
    expect(all.sink.frames.map((f) => [f.seq, f.type])).toEqual([
      [1, 'snapshot'],
      [2, 'session'],
      [3, 'snapshot'],
    ]);
    expect(mine.sink.frames.map((f) => [f.seq, f.type])).toEqual([
      [1, 'snapshot'],
      [2, 'session'],
      [3, 'snapshot'],
    ]);
    expect((mine.sink.frames[2]!.chargepoints as { id: string }[]).map((cp) => cp.id)).toEqual(['3']);
    // The connection keeps following changes and events after it.
    bus.publish(session('ended', 2, 'alice'));
    expect(mine.sink.frames.at(-1)).toMatchObject({ seq: 4, type: 'session', change: 'ended' });
    hub.stop();
    expect(resubscribed.size).toBe(0);
  });

  it('sends each event, without what decides who sees it, to the connections that may see it and asked for it', async () => {
    const [all, mine, valuesOnly] = [await connect(admin), await connect(alice, 'topics=events'), await connect(admin, 'topics=values')];
    expect(mine.sink.frames[0]).toEqual({ seq: 1, type: 'snapshot', system: SYSTEM });
    expect(valuesOnly.sink.frames[0]).toMatchObject({ type: 'snapshot', chargepoints: [{ id: '3' }] });
    bus.publish(command('pending'));
    bus.publish(session('started', 0));
    expect(all.sink.frames.slice(1)).toEqual([
      { seq: 2, type: 'command', command: { id: 'c1', status: 'pending', target: { type: 'chargepoint', id: '3' } } },
      { seq: 3, type: 'session', change: 'started', session: { id: 's1', chargepointId: '3', energy: 0, user: null } },
    ]);
    expect(mine.sink.frames.slice(1).map((frame) => frame.type)).toEqual(['command']);
    expect(valuesOnly.sink.frames).toHaveLength(1);
  });

  it('gives a client that is behind the latest state of each event subject, a session it has not heard of still as started', async () => {
    const { sink, connection } = await connect(admin);
    sink.backedUp = true;
    bus.publish(session('started', 0));
    bus.publish(command('pending'));
    bus.publish(session('updated', 500));
    bus.publish(command('applied'));
    bus.publish(session('updated', 900));
    expect(sink.frames).toHaveLength(1);
    sink.backedUp = false;
    connection.drained();
    expect(sink.frames.slice(1)).toEqual([
      { seq: 2, type: 'session', change: 'started', session: { id: 's1', chargepointId: '3', energy: 900, user: null } },
      { seq: 3, type: 'command', command: { id: 'c1', status: 'applied', target: { type: 'chargepoint', id: '3' } } },
    ]);
  });
});
