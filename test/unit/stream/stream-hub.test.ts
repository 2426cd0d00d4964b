import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SystemDto } from '../../../src/api/types.ts';
import { makePrincipal, type Principal } from '../../../src/auth/principal.ts';
import { LiveModel } from '../../../src/live/live-model.ts';
import { MemoryLiveStore } from '../../../src/live/memory-store.ts';
import type { FieldUpdate, Json } from '../../../src/live/model.ts';
import { StreamHub } from '../../../src/stream/stream-hub.ts';
import { RecordingSink } from './recording-sink.ts';

const SYSTEM = { openwb: {}, broker: {}, gateway: {} } as unknown as SystemDto;
const admin = makePrincipal({ kind: 'apiKey', id: 'a', userId: null, name: 'admin', role: 'admin', scopes: ['read'] });
const onlyThree = makePrincipal({
  kind: 'apiKey',
  id: 'u',
  userId: 'u',
  name: 'u',
  role: 'user',
  scopes: ['read'],
  userChargepoints: ['3'],
});

describe('StreamHub', () => {
  let store: MemoryLiveStore;
  let hub: StreamHub;
  let listener: (updates: readonly FieldUpdate[]) => void;
  /** The values messagesSent.inc was called with. */
  let counted: number[];
  /** How many fan-outs were timed (stream_fanout_duration_seconds). */
  let fanOuts: number;

  /** As ingest does: into the store, then to the applied-update listeners; resolves once the hub has sent. */
  const apply = async (...fields: [id: string, field: string, value: Json][]) => {
    const updates = fields.map(([id, field, value]) => ({ kind: 'chargepoint' as const, id, field, value, receivedAt: Date.now() }));
    await store.apply(updates);
    listener(updates);
    await vi.advanceTimersByTimeAsync(0);
  };
  const connect = async (principal: Principal, reauthenticate: () => Principal | undefined = () => principal) => {
    const sink = new RecordingSink();
    return { sink, connection: await hub.connect(principal, sink, reauthenticate) };
  };

  beforeEach(async () => {
    vi.useFakeTimers({ now: Date.parse('2026-05-20T12:00:00Z') });
    store = new MemoryLiveStore();
    counted = [];
    fanOuts = 0;
    hub = new StreamHub({
      live: new LiveModel(store),
      updates: (l) => {
        listener = l;
        return () => undefined;
      },
      counters: {
        messagesSent: { inc: (value = 1) => void counted.push(value) },
        coalesced: { inc: () => undefined },
        fanOut: { observe: () => void fanOuts++ },
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

  it('sends a snapshot, then only the changed fields with their updatedAt, numbered per connection', async () => {
    const { sink } = await connect(admin);
    expect(sink.frames[0]).toMatchObject({ seq: 1, type: 'snapshot', system: SYSTEM });
    vi.advanceTimersByTime(1_000);
    await apply(['3', 'power', 2000], ['3', 'plugged', true]);
    expect(sink.frames[1]).toEqual({
      seq: 2,
      type: 'changed',
      kind: 'chargepoint',
      id: '3',
      fields: {
        power: { value: 2000, updatedAt: '2026-05-20T12:00:01.000Z' },
        plugged: { value: true, updatedAt: '2026-05-20T12:00:01.000Z' },
      },
      updatedAt: '2026-05-20T12:00:01.000Z',
      stale: false,
    });
    await apply(['3', 'power', 2000]);
    expect(sink.frames).toHaveLength(2);
  });

  it('counts every frame sent, a fan-out in one call, and what waited when it leaves', async () => {
    const [a, b, slow] = [await connect(admin), await connect(onlyThree), await connect(admin)];
    expect(counted).toEqual([1, 1, 1]);
    slow.sink.backedUp = true;
    await apply(['3', 'power', 2000]);
    expect(counted.slice(3)).toEqual([2]);
    slow.sink.backedUp = false;
    slow.connection.drained();
    expect(counted.slice(4)).toEqual([1]);
    const frames = [a, b, slow].reduce((sum, { sink }) => sum + sink.frames.length, 0);
    expect(counted.reduce((sum, value) => sum + value, 0)).toBe(frames);
  });

  it('times each fan-out that had a connection to reach, and none for a change nobody may see', async () => {
    await connect(onlyThree);
    await apply(['3', 'power', 2000]);
    expect(fanOuts).toBe(1);
    await apply(['4', 'power', 2000]);
    expect(fanOuts).toBe(1);
  });

  it('pushes the stale flip when STALE_AFTER_S passes, and fresh again with the next value', async () => {
    const { sink } = await connect(admin);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(sink.ofType('stale')).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(sink.ofType('stale')).toEqual([{ seq: 2, type: 'stale', kind: 'chargepoint', id: '3', updatedAt: '2026-05-20T12:00:00.000Z' }]);
    await apply(['3', 'power', 1000]);
    expect(sink.frames[2]).toMatchObject({ type: 'changed', id: '3', fields: {}, stale: false });
  });

  it('serialises a change once and shows it only to the principals that may see the chargepoint', async () => {
    const all = await connect(admin);
    const three = await connect(onlyThree);
    const stringify = vi.spyOn(JSON, 'stringify');
    await apply(['4', 'power', 500]);
    await apply(['3', 'power', 1500]);
    const changes = stringify.mock.calls.filter(
      ([value]) => typeof value === 'object' && value !== null && 'type' in value && value.type === 'changed',
    );
    stringify.mockRestore();
    expect(changes).toHaveLength(2);
    expect(all.sink.ofType('changed').map((m) => m.id)).toEqual(['4', '3']);
    expect(three.sink.ofType('changed').map((m) => m.id)).toEqual(['3']);
    expect(three.sink.frames[0]).toMatchObject({ chargepoints: [{ id: '3' }] });
  });

  it('keeps the latest change per chargepoint while the transport is backed up, and sends it when it drains', async () => {
    const { sink, connection } = await connect(admin);
    sink.backedUp = true;
    await apply(['3', 'power', 2000]);
    await apply(['3', 'power', 3000], ['3', 'plugged', true]);
    await apply(['4', 'power', 10]);
    await apply(['3', 'power', 4000]);
    expect(sink.frames).toHaveLength(1);
    expect(connection.pendingCount).toBe(2);
    sink.backedUp = false;
    connection.drained();
    expect(sink.frames.slice(1)).toMatchObject([
      { seq: 2, type: 'changed', id: '3', fields: { power: { value: 4000 }, plugged: { value: true } } },
      { seq: 3, type: 'changed', id: '4' },
    ]);
    expect(connection.pendingCount).toBe(0);
  });

  it('ends a stream within the re-check interval once its credentials are revoked (4401) or lose the read scope (4403)', async () => {
    let revoked = false;
    const revokedKey = await connect(admin, () => (revoked ? undefined : admin));
    const noRead = makePrincipal({ kind: 'apiKey', id: 'c', userId: null, name: 'c', role: 'admin', scopes: ['control'] });
    const scopeLost = await connect(admin, () => (revoked ? noRead : admin));
    const kept = await connect(admin);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(revokedKey.sink.closedWith).toBeUndefined();
    revoked = true;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(revokedKey.sink.closedWith).toBe(4401);
    expect(scopeLost.sink.closedWith).toBe(4403);
    expect(kept.sink.closedWith).toBeUndefined();
    expect(hub.connectionCount).toBe(1);
  });

  it('checks many connections a slice per event-loop turn, and still ends the revoked one among them', async () => {
    let revoked = false;
    const many = [];
    for (let i = 0; i < 450; i++) many.push(await connect(admin));
    const last = await connect(admin, () => (revoked ? undefined : admin));
    revoked = true;
    await vi.advanceTimersByTimeAsync(5_000);
    // The round started: its first slice is checked, the rest waits for later turns of the loop (the fake
    // clock puts an immediate queued inside a timer 1 ms later).
    expect(last.sink.closedWith).toBeUndefined();
    let turns = 0;
    while (last.sink.closedWith === undefined && turns < 20) {
      turns++;
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(last.sink.closedWith).toBe(4401);
    // 451 connections, 200 per turn: two more turns after the first slice.
    expect(turns).toBeGreaterThanOrEqual(2);
    expect(many.every(({ sink }) => sink.closedWith === undefined)).toBe(true);
    expect(hub.connectionCount).toBe(450);
  });

  it('follows a principal whose chargepoints changed, and keeps a stream whose check failed', async () => {
    let narrowed = false;
    const { sink } = await connect(admin, () => {
      if (narrowed) return onlyThree;
      throw new Error('database unreachable');
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sink.closedWith).toBeUndefined();
    narrowed = true;
    await vi.advanceTimersByTimeAsync(5_000);
    await apply(['4', 'power', 500]);
    await apply(['3', 'power', 1500]);
    expect(sink.ofType('changed').map((m) => m.id)).toEqual(['3']);
  });

  it('ends every connection with 1001 when it stops', async () => {
    const { sink } = await connect(admin);
    hub.stop();
    expect(sink.closedWith).toBe(1001);
    expect(hub.connectionCount).toBe(0);
  });

  it('closes a client that stays behind past the stall limit (4008) while the others keep receiving', async () => {
    const stuck = await connect(admin);
    const reading = await connect(admin);
    stuck.sink.backedUp = true;
    await apply(['3', 'power', 2000]);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(stuck.sink.closedWith).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(stuck.sink.closedWith).toBe(4008);
    await apply(['3', 'power', 2500]);
    expect(reading.sink.ofType('changed')).toHaveLength(2);
    expect(reading.sink.closedWith).toBeUndefined();
  });

  it('forgives a client that caught up in time', async () => {
    const { sink, connection } = await connect(admin);
    sink.backedUp = true;
    await apply(['3', 'power', 2000]);
    await vi.advanceTimersByTimeAsync(25_000);
    sink.backedUp = false;
    connection.drained();
    sink.backedUp = true;
    await apply(['3', 'power', 3000]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sink.closedWith).toBeUndefined();
  });

  it('lists chargepoints by id in the snapshot, and drops one openWB no longer publishes', async () => {
    await apply(['10', 'power', 1], ['4', 'power', 2]);
    expect((await connect(admin)).sink.frames[0]).toMatchObject({ chargepoints: [{ id: '3' }, { id: '4' }, { id: '10' }] });
    const gone: FieldUpdate = { kind: 'chargepoint', id: '4', field: 'power', value: undefined, receivedAt: Date.now() };
    await store.apply([gone]);
    listener([gone]);
    await vi.advanceTimersByTimeAsync(0);
    expect((await connect(admin)).sink.frames[0]).toMatchObject({ chargepoints: [{ id: '3' }, { id: '10' }] });
  });

  it('tells the clients that may see it that an object is removed, and a backed-up client only that', async () => {
    await apply(['4', 'power', 2]);
    const admins = await connect(admin);
    const narrow = await connect(onlyThree);
    admins.sink.backedUp = true;
    await apply(['4', 'power', 3]);
    const gone: FieldUpdate = { kind: 'chargepoint', id: '4', field: 'power', value: undefined, receivedAt: Date.now() };
    await store.apply([gone]);
    listener([gone]);
    await vi.advanceTimersByTimeAsync(0);
    admins.sink.backedUp = false;
    admins.connection.drained();
    expect(admins.sink.frames.slice(1)).toEqual([{ seq: 2, type: 'removed', kind: 'chargepoint', id: '4' }]);
    expect(narrow.sink.frames.slice(1)).toEqual([]);
    await apply(['4', 'power', 5]);
    expect(admins.sink.frames[2]).toMatchObject({ seq: 3, type: 'changed', id: '4', fields: { power: { value: 5 } } });
  });

  it('sends nothing to a disconnected client', async () => {
    const { sink, connection } = await connect(admin);
    hub.disconnect(connection);
    await apply(['3', 'power', 2000]);
    expect(sink.frames).toHaveLength(1);
    expect(hub.connectionCount).toBe(0);
  });

  it('survives a live store that cannot be read: starts, logs, and loads everything once it can', async () => {
    class FlakyStore extends MemoryLiveStore {
      failing = true;
      override get(refs: Parameters<MemoryLiveStore['get']>[0]) {
        if (this.failing) throw new Error('Redis unreachable');
        return super.get(refs);
      }
    }
    const flaky = new FlakyStore();
    const warnings: string[] = [];
    let feed: (updates: readonly FieldUpdate[]) => void = () => undefined;
    const flakyHub = new StreamHub({
      live: new LiveModel(flaky),
      updates: (l) => {
        feed = l;
        return () => undefined;
      },
      system: async () => SYSTEM,
      staleAfterMs: 60_000,
      reauthenticateMs: 5_000,
      stallLimitMs: 30_000,
      logger: { warn: (...args: unknown[]) => void warnings.push(String(args[1])) },
    });
    await flakyHub.start();
    const update: FieldUpdate = { kind: 'chargepoint', id: '3', field: 'power', value: 700, receivedAt: Date.now() };
    await flaky.apply([update]);
    feed([update]);
    await vi.advanceTimersByTimeAsync(0);
    expect(warnings.length).toBe(2);
    await expect(flakyHub.connect(admin, new RecordingSink(), () => admin)).rejects.toThrow('Redis unreachable');
    flaky.failing = false;
    const sink = new RecordingSink();
    await flakyHub.connect(admin, sink, () => admin);
    expect(sink.frames[0]).toMatchObject({ type: 'snapshot', chargepoints: [{ id: '3', power: 700 }] });
    flakyHub.stop();
  });
});
