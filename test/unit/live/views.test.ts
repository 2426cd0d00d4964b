import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/errors.ts';
import { freshnessContext, isStale, staleAt } from '../../../src/live/freshness.ts';
import { LiveModel, requirePublished } from '../../../src/live/live-model.ts';
import { MemoryLiveStore } from '../../../src/live/memory-store.ts';
import type { EntityFields, FieldUpdate, Json } from '../../../src/live/model.ts';
import { changedFields, decodeChargePoint, decodeChargePointValue, decodeSystem, decodeVehicle } from '../../../src/live/views.ts';

const NOW = Date.parse('2026-05-20T12:00:00Z');
const stamped = (values: Record<string, Json>, receivedAt = NOW): EntityFields =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value, receivedAt }]));
const cp = (field: string, value: Json | undefined, receivedAt = NOW): FieldUpdate => ({
  kind: 'chargepoint',
  id: '3',
  field,
  value,
  receivedAt,
});

describe('decoding live fields into typed views', () => {
  it('keeps values of the right type with their receive time, as stored', () => {
    const raw = stamped({ power: 11040, plugged: true, name: 'Garage', chargeTemplate: { id: 1 }, currents: [16, 16, 15.5] });
    const view = decodeChargePoint('3', raw);
    expect(view).toMatchObject({ kind: 'chargepoint', id: '3', published: true, updatedAt: NOW });
    expect(view.fields.power).toEqual({ value: 11040, receivedAt: NOW });
    expect(view.fields.plugged?.value).toBe(true);
    expect(view.fields.chargeTemplate?.value).toEqual({ id: 1 });
    // A well-formed value is the stored reading itself: nothing copied, and a diff can compare identities.
    expect(view.fields.currents).toBe(raw.currents);
  });

  it('treats a value of the wrong type as absent', () => {
    const view = decodeChargePoint(
      '3',
      stamped({
        power: '11040',
        plugged: 1,
        name: 7,
        chargeTemplate: [1],
        currents: [16, 16],
        faultState: 'broken',
        vehicleId: null,
        energyToday: null,
      }),
    );
    expect(view.fields).toEqual({});
    expect(decodeVehicle('1', stamped({ soc: 'full', socModule: 'manual', forceSocUpdate: 'yes' })).fields).toEqual({});
    expect(decodeSystem('openwb', stamped({ generation: '3', version: 2, heartbeat: 'now' })).fields).toEqual({});
  });

  it('still counts an entity with only unusable fields as published, and its newest field as its update', () => {
    const view = decodeChargePoint('3', { power: { value: 'x', receivedAt: NOW - 5 }, unknownField: { value: 1, receivedAt: NOW } });
    expect(view).toMatchObject({ published: true, updatedAt: NOW, fields: {} });
    expect(decodeChargePoint('3', {})).toMatchObject({ published: false, updatedAt: undefined });
  });

  it('ignores field names that are not in the schema, including names of Object.prototype', () => {
    const view = decodeChargePoint('3', stamped({ constructor: 1, toString: 'x', power: 5 }));
    expect(Object.keys(view.fields)).toEqual(['power']);
  });

  it('marks unknown phases null and an unknown chargepoint mode null (not absent), so it does not fall back to the system mode', () => {
    const view = decodeChargePoint('1', stamped({ voltages: [230, 'x', null], chargeMode: 'bogus' }));
    expect(view.fields.voltages?.value).toEqual([230, null, null]);
    expect(view.fields.chargeMode).toEqual({ value: null, receivedAt: NOW });
    expect(decodeChargePoint('1', stamped({ chargeMode: 5 })).fields.chargeMode).toBeUndefined();
  });

  it('decodes a single live update the same way', () => {
    expect(decodeChargePointValue('scannedTag', 'T1')).toBe('T1');
    expect(decodeChargePointValue('scannedTag', 42)).toBeUndefined();
    expect(decodeChargePointValue('rfidTag', undefined)).toBeUndefined();
    expect(decodeChargePointValue('chargeMode', 'bogus')).toBeNull();
  });

  it('decodes a stored fields object once', () => {
    const raw = stamped({ power: 1 });
    expect(decodeChargePoint('3', raw)).toBe(decodeChargePoint('3', raw));
    // Unknown entities may share one empty object: each keeps its own id.
    const empty: EntityFields = {};
    expect(decodeChargePoint('4', empty).id).toBe('4');
    expect(decodeChargePoint('5', empty).id).toBe('5');
  });
});

describe('what changed between two views', () => {
  it('names the fields written, added or removed since, and no other', async () => {
    const store = new MemoryLiveStore();
    const live = new LiveModel(store);
    await store.apply([cp('power', 100), cp('plugged', true), cp('locked', false)]);
    const before = await live.chargepoint('3');
    await store.apply([cp('power', 200, NOW + 1), cp('name', 'Garage', NOW + 1), cp('locked', undefined, NOW + 1)]);
    const after = await live.chargepoint('3');
    expect(changedFields(before, after).sort()).toEqual(['locked', 'name', 'power']);
    expect(changedFields(after, await live.chargepoint('3'))).toEqual([]);
  });
});

describe('the live model port', () => {
  it('answers synchronously from memory, views in the order asked', async () => {
    const store = new MemoryLiveStore();
    await store.apply([cp('power', 1), { kind: 'system', id: 'openwb', field: 'generation', value: '2', receivedAt: NOW }]);
    const read = new LiveModel(store).read({ kind: 'system' }, { kind: 'chargepoint', id: '3' }, { kind: 'vehicle', id: '9' });
    expect(read).not.toBeInstanceOf(Promise);
    const [system, chargepoint, vehicle] = await read;
    expect(system.fields.generation?.value).toBe('2');
    expect(chargepoint.fields.power?.value).toBe(1);
    expect(vehicle).toMatchObject({ kind: 'vehicle', id: '9', published: false });
  });

  it('refuses an entity openWB has not published with NotFound', async () => {
    const live = new LiveModel(new MemoryLiveStore());
    expect(() => requirePublished(decodeVehicle('9', {}))).toThrow(NotFoundError);
    expect(() => requirePublished(decodeVehicle('9', {}))).toThrow('Vehicle 9 is not known: openWB has not published it');
    await expect(Promise.resolve(live.chargepoint('3')).then(requirePublished)).rejects.toThrow('Chargepoint 3 is not known');
  });

  it('lists published entities decoded, and reads single stored values for confirmation', async () => {
    const store = new MemoryLiveStore();
    await store.apply([
      { kind: 'chargeTemplate', id: '2', field: 'name', value: 'Night', receivedAt: NOW },
      { kind: 'chargeTemplate', id: '10', field: 'name', value: 3, receivedAt: NOW },
      cp('chargeTemplate', { chargemode: { selected: 'pv' } }),
    ]);
    const live = new LiveModel(store);
    expect((await live.list('chargeTemplate')).map((t) => [t.id, t.fields.name?.value])).toEqual([
      ['2', 'Night'],
      ['10', undefined],
    ]);
    expect(
      await live.values([
        { kind: 'chargepoint', id: '3', field: 'chargeTemplate' },
        { kind: 'chargepoint', id: '3', field: 'locked' },
      ]),
    ).toEqual([{ chargemode: { selected: 'pv' } }, undefined]);
  });
});

describe('staleness of a value', () => {
  const system = (generation: string, heartbeatAge?: number) =>
    decodeSystem('openwb', {
      generation: { value: generation, receivedAt: NOW - 1_000_000 },
      ...(heartbeatAge === undefined ? {} : { heartbeat: { value: 1, receivedAt: NOW - heartbeatAge } }),
    });

  it('turns stale after the configured bound; a value never received is stale', () => {
    const ctx = freshnessContext(system('2'), 60_000, NOW);
    expect(isStale(NOW - 60_000, ctx)).toBe(false);
    expect(isStale(NOW - 60_001, ctx)).toBe(true);
    expect(staleAt(NOW - 10_000, ctx)).toBe(NOW + 50_000);
    expect(isStale(undefined, ctx)).toBe(true);
  });

  it('stays fresh on openWB 1.9 while the heartbeat does (1.9 publishes on change only)', () => {
    expect(isStale(NOW - 600_000, freshnessContext(system('1.9', 5_000), 60_000, NOW))).toBe(false);
    expect(isStale(NOW - 600_000, freshnessContext(system('1.9', 120_000), 60_000, NOW))).toBe(true);
    expect(isStale(NOW - 600_000, freshnessContext(system('2', 5_000), 60_000, NOW))).toBe(true);
  });
});
