import { describe, expect, it } from 'vitest';
import { observe, type DetectorOptions, type Observation } from '../../../src/sessions/detector.ts';
import type { Session } from '../../../src/sessions/model.ts';
import { toDto } from '../../../src/sessions/model.ts';
import { NO_TARIFF, type Tariff } from '../../../src/sessions/tariff.ts';

const T0 = Date.parse('2026-05-20T10:00:00Z');
const S = 10_000;
const tariff: Tariff = {
  pricePerKwh: 0.3,
  windows: [{ fromMinute: 22 * 60, toMinute: 6 * 60, pricePerKwh: 0.2 }],
  currency: 'EUR',
  timeZone: 'Europe/Berlin',
};

const obs = (tick: number, fields: Partial<Observation> = {}): Observation => ({
  chargepointId: '3',
  at: T0 + tick * S,
  plugged: true,
  charging: false,
  power: 0,
  energyImported: 1_250_000,
  rfidTag: null,
  vehicleId: null,
  vehicleName: null,
  vehicleSoc: null,
  chargeMode: null,
  ...fields,
});

function run(
  observations: Observation[],
  options: DetectorOptions = { intervalMs: S, tariff: NO_TARIFF, newId: () => 'id-1' },
  start?: Session,
) {
  let session = start;
  const closed: Session[] = [];
  for (const o of observations) {
    const step = observe(session, o, options);
    session = step.session;
    if (session?.end !== null && session !== undefined) {
      closed.push(session);
      session = undefined;
    }
  }
  return { open: session, closed };
}

describe('session detection', () => {
  it('follows a plug-in, tag scan, charging and unplug like openWB 2.x', () => {
    const { open, closed } = run([
      obs(0, { plugged: false }),
      obs(1, { vehicleId: '0', vehicleName: 'Standard-Fahrzeug', chargeMode: 'instant' }),
      obs(3, { rfidTag: '04A1B2C3', vehicleId: '1', vehicleName: 'e-Golf', vehicleSoc: 40 }),
      obs(5, { charging: true, power: 11040, energyImported: 1_250_000 }),
      obs(6, { charging: true, power: 11090, energyImported: 1_250_030.7, rfidTag: '04A1B2C3' }),
      obs(7, { charging: true, power: 11040, energyImported: 1_250_061.4, vehicleSoc: 41, chargeMode: 'pv' }),
      obs(8, { charging: false, power: 0, energyImported: 1_250_092.1, vehicleSoc: 42 }),
      obs(9, { plugged: false, rfidTag: null, energyImported: 1_250_092.1 }),
    ]);
    expect(open).toBeUndefined();
    expect(closed).toHaveLength(1);
    const dto = toDto(closed[0]!);
    expect(dto).toEqual({
      id: 'id-1',
      chargepointId: '3',
      start: new Date(T0 + S).toISOString(),
      end: new Date(T0 + 9 * S).toISOString(),
      energy: 92.1,
      chargingTime: 30,
      meanPower: 11052,
      peakPower: 11090,
      socStart: 40,
      socEnd: 42,
      chargeModes: ['instant', 'pv'],
      rfidTag: '04A1B2C3',
      vehicle: { id: '1', name: 'e-Golf' },
      user: null,
      cost: null,
      quality: 'measured',
      correction: null,
    });
  });

  it('ignores observations that do not say whether a vehicle is plugged (stale), so a gap never splits a session', () => {
    const first = run([obs(0), obs(1, { charging: true, power: 7000 })]).open!;
    const during = observe(first, obs(2, { plugged: null, energyImported: 9 }), { intervalMs: S, tariff: NO_TARIFF });
    expect(during).toEqual({ session: first, changed: false });
    const after = run([obs(30, { energyImported: 1_250_500 }), obs(31, { plugged: false, energyImported: 1_250_500 })], undefined, first);
    expect(after.closed).toHaveLength(1);
    expect(after.closed[0]!.id).toBe(first.id);
    expect(after.closed[0]!.energy).toBe(500);
  });

  it('ends a session found unplugged after a gap when it was last seen plugged', () => {
    const { closed } = run([obs(0), obs(1), obs(100, { plugged: false })]);
    expect(closed[0]!.end).toBe(T0 + S);
  });

  it('counts a meter reset or swap as no energy and keeps counting from the new, sustained reading', () => {
    const charging = { charging: true, power: 10_800 };
    const { closed } = run([
      obs(0, { energyImported: 5_000 }),
      obs(1, { ...charging, energyImported: 5_030 }),
      ...[20, 50, 80, 110, 140, 170, 200].map((energyImported, i) => obs(2 + i, { ...charging, energyImported })),
      obs(9, { plugged: false, energyImported: 200 }),
    ]);
    expect(closed[0]).toMatchObject({ energy: 30 + 180, meterStart: 5_000, meterLast: 200, quality: 'incomplete' });
  });

  it('takes a meter reading 0 for two ticks as a glitch: the session counts the true meter delta', () => {
    const charging = { charging: true, power: 10_800 };
    const readings = [1_250_000, 1_250_030, 0, 0, 1_250_120, 1_250_150];
    const { closed } = run([
      obs(0, { energyImported: 1_249_990 }),
      ...readings.map((energyImported, i) => obs(1 + i, { ...charging, energyImported })),
      obs(7, { plugged: false, energyImported: 1_250_150 }),
    ]);
    const dto = toDto(closed[0]!);
    expect(dto).toMatchObject({ energy: 160, peakPower: 10_800, chargingTime: 63 });
    expect(closed[0]).toMatchObject({ meterStart: 1_249_990, meterLast: 1_250_150, quality: 'corrected' });
  });

  it('judges quality like history buckets: none before a reading, measured, then only ever worse', () => {
    const charging = { charging: true, power: 10_800 };
    const start = run([obs(0, { energyImported: null })]).open!;
    expect(start.quality).toBeNull();
    const measured = run(
      [obs(1, { ...charging, energyImported: 1_000 }), obs(2, { ...charging, energyImported: 1_030 })],
      undefined,
      start,
    );
    expect(measured.open!.quality).toBe('measured');
    const glitched = run(
      [obs(3, { ...charging, energyImported: 0 }), obs(4, { ...charging, energyImported: 1_090 })],
      undefined,
      measured.open,
    );
    expect(glitched.open!.quality).toBe('corrected');
    // A reset after the glitch makes the session incomplete; later plausible readings do not make it better.
    const reset = run(
      [
        ...[10, 40, 70, 100, 130, 160, 190].map((energyImported, i) => obs(5 + i, { ...charging, energyImported })),
        obs(12, { ...charging, energyImported: 220 }),
      ],
      undefined,
      glitched.open,
    );
    expect(reset.open!.quality).toBe('incomplete');
  });

  it('counts the first charging interval, so the mean power never exceeds the peak', () => {
    // Charging starts between ticks 1 and 2: 10 Wh arrive before the first tick that says charging.
    const { closed } = run([
      obs(0, { energyImported: 1000 }),
      obs(1, { energyImported: 1000 }),
      obs(2, { charging: true, power: 11_077, energyImported: 1010 }),
      ...Array.from({ length: 9 }, (_, i) => obs(3 + i, { charging: true, power: 11_000, energyImported: 1010 + 30.5 * (i + 1) })),
      obs(12, { charging: false, power: 0, energyImported: 1010 + 30.5 * 9 + 3 }),
      obs(13, { plugged: false, energyImported: 1010 + 30.5 * 9 + 3 }),
    ]);
    const dto = toDto(closed[0]!);
    // 10 Wh at 11,077 W is 3.25 s of the first interval, then 10 whole charging intervals.
    expect(dto.energy).toBeCloseTo(287.5, 6);
    expect(closed[0]!.chargingMs).toBeCloseTo(100_000 + (10 / 11_077) * 3_600_000, 6);
    expect(dto.chargingTime).toBe(103);
    expect(dto.meanPower).toBe(10_024.2);
    expect(dto.meanPower!).toBeLessThanOrEqual(dto.peakPower!);
  });

  it('keeps the mean within the peak when the meter shows more than the sampled power', () => {
    // The power topic lags: it reads 7 kW while the meter counts 11 kW.
    const { closed } = run([
      obs(0, { charging: true, power: 7_000, energyImported: 0 }),
      ...Array.from({ length: 6 }, (_, i) => obs(1 + i, { charging: true, power: 7_000, energyImported: 30.5 * (i + 1) })),
      obs(7, { plugged: false, energyImported: 183 }),
    ]);
    const dto = toDto(closed[0]!);
    expect(dto.energy).toBe(183);
    expect(dto.chargingTime).toBe(70); // the whole session: 183 Wh at 7 kW would need 94 s
    // The peak is what the meter measured over the first 60 s: 183 Wh, 10,980 W.
    expect(dto).toMatchObject({ meanPower: 9_411.4, peakPower: 10_980 });
  });

  it('prices every energy step at the tariff of its local time of day', () => {
    // 20:59:50 and 21:00:00 UTC are 22:59:50 and 23:00 in Berlin (summer time): the night price applies from 22:00 local.
    const at = (iso: string) => Date.parse(iso) - T0;
    const { closed } = run(
      [
        obs(at('2026-05-20T19:59:50Z') / S, { energyImported: 0 }),
        obs(at('2026-05-20T20:00:00Z') / S, { energyImported: 1000 }), // 22:00 Berlin: night 0.20
        obs(at('2026-05-20T20:00:10Z') / S, { plugged: false, energyImported: 1000 }),
      ],
      { intervalMs: S, tariff, newId: () => 'x', maxPowerW: 1_000_000 },
    );
    expect(closed[0]!.cost).toBeCloseTo(0.2, 10);
    const day = run([obs(0, { energyImported: 0 }), obs(1, { energyImported: 2000 }), obs(2, { plugged: false, energyImported: 2000 })], {
      intervalMs: S,
      tariff,
      newId: () => 'y',
      maxPowerW: 1_000_000,
    });
    expect(day.closed[0]!.cost).toBeCloseTo(0.6, 10); // 12:00 Berlin: 2 kWh × 0.30
  });
});
