/** The meter service against both real databases, with the clock injected: today across midnight and DST, decay, history. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../src/auth/api-key-repository.ts';
import { ApiKeyService } from '../../src/auth/api-key-service.ts';
import { KeyManagement } from '../../src/auth/key-management.ts';
import { makePrincipal } from '../../src/auth/principal.ts';
import { AuditService } from '../../src/audit/audit-service.ts';
import { MeterRepository } from '../../src/meters/meter-repository.ts';
import { MeterService } from '../../src/meters/meter-service.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';

const at = (iso: string) => Date.parse(iso);
const owner = makePrincipal({ kind: 'token', id: 's', userId: 'u1', name: 'alice', role: 'user', scopes: ['read', 'control'] });

describe.each(BOTH_DATABASES)('meter service on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let now = at('2026-03-28T22:00:00Z');
  let meters: MeterService;

  beforeAll(async () => {
    target = await makeTarget('meter_service');
    const audit = new AuditService(target.db);
    meters = new MeterService({
      repository: new MeterRepository(target.db),
      keys: new KeyManagement(new ApiKeyService(new ApiKeyRepository(target.db)), audit),
      audit,
      timeZone: 'Europe/Berlin',
      now: () => now,
    });
  });
  afterAll(() => target?.dispose());

  it('counts today from local midnight, also on the 23-hour day of the change to summer time', async () => {
    const meter = await meters.create(owner, { name: 'S0', energyPerPulseWh: 1 }, {});
    // 22:00 and 22:30 UTC on 28 March are 23:00 and 23:30 in Berlin (UTC+1): still the 28th.
    now = at('2026-03-28T22:45:00Z');
    await meters.recordPulses(owner, meter.id, ['2026-03-28T22:00:00Z', '2026-03-28T22:30:00Z']);
    expect(await meters.reading(owner, meter.id)).toMatchObject({ day: '2026-03-28', energyTodayWh: 2, meterReadingWh: 2 });
    // 23:10 UTC is 00:10 on the 29th: a new day, the pulses before midnight belong to yesterday.
    now = at('2026-03-28T23:10:00Z');
    await meters.recordPulses(owner, meter.id, ['2026-03-28T23:05:00Z']);
    expect(await meters.reading(owner, meter.id)).toMatchObject({ day: '2026-03-29', energyTodayWh: 1, meterReadingWh: 3 });
    // At 01:30 UTC on the 29th it is 03:30 CEST: the clocks skipped an hour, today still began at 23:00 UTC.
    now = at('2026-03-29T01:30:00Z');
    await meters.recordPulses(owner, meter.id, ['2026-03-29T01:00:00Z']);
    expect(await meters.reading(owner, meter.id)).toMatchObject({ day: '2026-03-29', energyTodayWh: 2 });

    const history = await meters.history(owner, meter.id, { start: '2026-03-28', end: '2026-03-30', interval: 'day' });
    expect(history.points.map((p) => [p.start.toISO(), p.pulses])).toEqual([
      ['2026-03-28T00:00:00.000+01:00', 2],
      ['2026-03-29T00:00:00.000+01:00', 2],
    ]);
    expect(history.end.diff(history.points[1]!.start, 'hours').hours).toBe(23);
  });

  it('decays power while no pulse arrives, from pulses sent out of order', async () => {
    const meter = await meters.create(owner, { name: 'Ferraris', energyPerPulseWh: 13.333, startReadingWh: 1000 }, {});
    now = at('2026-06-01T12:00:20Z');
    const receipt = await meters.recordPulses(owner, meter.id, ['2026-06-01T12:00:10Z', '2026-06-01T12:00:00Z', '2026-06-01T12:00:10Z']);
    expect(receipt).toEqual({ received: 3, recorded: 2, duplicates: 1, meterReadingWh: 1026.67 });
    now = at('2026-06-01T12:00:15Z');
    expect(await meters.reading(owner, meter.id)).toMatchObject({ lastIntervalPowerW: 4799.9, powerW: 4799.9 });
    now = at('2026-06-01T12:01:50Z');
    expect((await meters.reading(owner, meter.id)).powerW).toBe(480);
    // A late pulse from before the last one changes the last interval (pulses are ordered by time, not arrival).
    await meters.recordPulses(owner, meter.id, ['2026-06-01T12:00:05Z']);
    now = at('2026-06-01T12:00:12Z');
    expect((await meters.reading(owner, meter.id)).lastIntervalPowerW).toBe(9599.8);
  });

  it('counts missed pulses into the day in which the connection loss ended, never into power', async () => {
    const meter = await meters.create(owner, { name: 'loss', energyPerPulseWh: 2 }, {});
    now = at('2026-10-25T10:00:00Z');
    await meters.recordPulses(owner, meter.id, ['2026-10-25T09:00:00Z']);
    expect(await meters.reportConnectionLoss(owner, meter.id, { durationMs: 3_600_000, pulsesMissed: 10 })).toEqual({
      recorded: true,
      meterReadingWh: 22,
    });
    await meters.recordPulses(owner, meter.id, ['2026-10-25T10:00:01Z']);
    now = at('2026-10-25T10:00:02Z');
    const reading = await meters.reading(owner, meter.id);
    expect(reading).toMatchObject({ energyTodayWh: 24, meterReadingWh: 24, powerW: null, meter: { pulseCount: 2, missedPulses: 10 } });
    const hours = await meters.history(owner, meter.id, { start: '2026-10-25T10:00', duration: '2h', interval: 'hour', tz: 'UTC' });
    expect(hours.points.map((p) => [p.pulses, p.missedPulses, p.energyWh])).toEqual([
      [1, 10, 22],
      [0, 0, 0],
    ]);
  });

  it("hides other users' meters and refuses pulses from the future", async () => {
    const meter = await meters.create(owner, { name: 'mine', energyPerPulseWh: 1 }, {});
    const bob = makePrincipal({ kind: 'token', id: 's2', userId: 'u2', name: 'bob', role: 'user', scopes: ['read', 'control'] });
    await expect(meters.reading(bob, meter.id)).rejects.toThrow(/does not exist/);
    await expect(meters.recordPulses(owner, meter.id, [new Date(now + 61_000).toISOString()])).rejects.toThrow(/future/);
    await expect(meters.recordPulses(owner, '00000000-0000-4000-8000-000000000000', undefined)).rejects.toThrow(/does not exist/);
  });
});
