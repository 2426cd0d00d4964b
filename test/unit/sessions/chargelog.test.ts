import { describe, expect, it } from 'vitest';
import { chargeLogCommand } from '../../../src/sessions/chargelog-client.ts';
import { parseLogTime, sessionsFromChargeLog } from '../../../src/sessions/chargelog.ts';

const entry = (begin: string, end: string, extra: object = {}) => ({
  chargepoint: { id: 3, imported_at_start: 1000, imported_at_end: 2000 },
  vehicle: { id: 1, name: 'e-Golf', chargemode: 'time_charging', rfid: '' },
  time: { begin, end, time_charged: '0:30' },
  data: { imported_since_mode_switch: 1000, imported_since_plugged: 1000, power: 2000, costs: null },
  ...extra,
});

describe('openWB charge log', () => {
  it('reads openWB local dates in the configured zone', () => {
    expect(new Date(parseLogTime('05/20/2024, 12:00:40', 'Europe/Berlin')!).toISOString()).toBe('2024-05-20T10:00:40.000Z');
    expect(new Date(parseLogTime('01/20/2024, 12:00:40', 'Europe/Berlin')!).toISOString()).toBe('2024-01-20T11:00:40.000Z');
    expect(parseLogTime('2024-05-20 12:00:40', 'Europe/Berlin')).toBeUndefined();
    expect(parseLogTime('02/30/2024, 12:00:40', 'Europe/Berlin')).toBeUndefined();
  });

  it('maps fields tolerantly and gives the same entry the same id on every import', () => {
    const first = sessionsFromChargeLog([entry('05/20/2024, 12:00:00', '05/20/2024, 12:30:00')], 'UTC');
    const second = sessionsFromChargeLog([entry('05/20/2024, 12:00:00', '05/20/2024, 12:30:00')], 'UTC');
    expect(first.sessions[0]!.id).toBe(second.sessions[0]!.id);
    expect(first.sessions[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.sessions[0]).toMatchObject({
      chargeModes: ['time'],
      rfidTag: null,
      cost: null,
      chargingMs: 1_800_000,
      meanPower: 2000,
      source: 'chargelog',
    });
  });

  it('counts unreadable entries and does not join entries that are not a continuation', () => {
    const parsed = sessionsFromChargeLog(
      [
        entry('05/20/2024, 12:00:00', '05/20/2024, 12:30:00'),
        entry('05/20/2024, 12:30:00', '05/20/2024, 13:00:00'), // since_plugged == since_mode_switch: a new plug-in
        { chargepoint: { id: 3 }, time: { begin: 'x', end: 'y' }, data: {} },
        'garbage',
        entry('05/20/2024, 14:00:00', '05/20/2024, 13:00:00'), // ends before it begins
      ],
      'UTC',
    );
    expect(parsed).toMatchObject({ invalid: 3, joined: 0 });
    expect(parsed.sessions).toHaveLength(2);
  });

  it('asks with a two-digit month, the filter objects and no prio', () => {
    expect(chargeLogCommand(2025, 5)).toEqual({
      command: 'getChargeLog',
      data: { year: '2025', month: '05', filter: { chargepoint: { id: [] }, vehicle: { id: [], tag: [], chargemode: [] } } },
    });
  });
});
