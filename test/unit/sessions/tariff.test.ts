import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { parseTariffSchedule, priceAt, type Tariff } from '../../../src/sessions/tariff.ts';
import { decodeCursor, encodeCursor } from '../../../src/sessions/cursor.ts';

describe('tariff', () => {
  const tariff: Tariff = {
    pricePerKwh: 0.3,
    windows: parseTariffSchedule('22:00-06:00=0.22, 12:00-14:00=0.18'),
    currency: 'EUR',
    timeZone: 'Europe/Berlin',
  };

  it('applies windows in local time, including windows across midnight', () => {
    expect(priceAt(tariff, Date.parse('2026-01-10T21:30:00Z'))).toBe(0.22); // 22:30 CET
    expect(priceAt(tariff, Date.parse('2026-01-10T04:59:00Z'))).toBe(0.22); // 05:59 CET
    expect(priceAt(tariff, Date.parse('2026-01-10T05:00:00Z'))).toBe(0.3); // 06:00 CET
    expect(priceAt(tariff, Date.parse('2026-07-10T10:30:00Z'))).toBe(0.18); // 12:30 CEST
    expect(priceAt({ ...tariff, pricePerKwh: null }, Date.parse('2026-07-10T10:30:00Z'))).toBeNull();
  });

  it('rejects malformed, empty and overlapping windows', () => {
    expect(() => parseTariffSchedule('22:00-6:00=0.22')).toThrow(/HH:MM-HH:MM=price/);
    expect(() => parseTariffSchedule('22:00-06:00=abc')).toThrow(/HH:MM-HH:MM=price/);
    expect(() => parseTariffSchedule('08:00-08:00=0.2')).toThrow(/empty or covers the whole day/);
    expect(() => parseTariffSchedule('22:00-06:00=0.2,05:00-07:00=0.25')).toThrow(/overlaps/);
  });

  it('is configured through TARIFF_* and TIME_ZONE, with every problem reported', () => {
    const config = loadConfig({
      TARIFF_PRICE_PER_KWH: '0.30',
      TARIFF_SCHEDULE: '22:00-06:00=0.22',
      TIME_ZONE: 'Europe/Berlin',
      RECORD_INTERVAL_S: '5',
    });
    expect(config.tariff).toEqual({
      pricePerKwh: 0.3,
      windows: [{ fromMinute: 1320, toMinute: 360, pricePerKwh: 0.22 }],
      currency: 'EUR',
      timeZone: 'Europe/Berlin',
    });
    expect(config.recorder).toEqual({
      enabled: true,
      intervalMs: 5000,
      rawRetentionMs: 30 * 86_400_000,
      bufferSize: 100_000,
      lockTtlMs: 30_000,
      meterMaxPowerW: { chargepoint: 25_000, site: 200_000 },
      spoolFile: './data/recorder-spool.jsonl',
      shutdownFlushMs: 5_000,
      instanceId: undefined,
    });
    const problems = () => loadConfig({ TARIFF_PRICE_PER_KWH: '-1', TIME_ZONE: 'Mars/Olympus', TARIFF_CURRENCY: 'euro' });
    expect(problems).toThrow(/TARIFF_PRICE_PER_KWH: must be a non-negative decimal/);
    expect(problems).toThrow(/TIME_ZONE: must be an IANA time zone/);
    expect(problems).toThrow(/TARIFF_CURRENCY: must be an ISO 4217 code/);
    expect(() => loadConfig({ TARIFF_SCHEDULE: '22:00-06:00=0.22' })).toThrow(/set TARIFF_PRICE_PER_KWH too/);
    expect(() => loadConfig({ RECORD_INTERVAL_S: '60', RECORDER_LOCK_TTL_S: '30' })).toThrow(/RECORDER_LOCK_TTL_S: must be longer/);
  });
});

describe('session cursors', () => {
  it('round-trip and refuse tampering or another sort', () => {
    const text = encodeCursor({ sort: '-start', value: 1716199240000, id: 'abc' });
    expect(decodeCursor(text, '-start')).toEqual({ sort: '-start', value: 1716199240000, id: 'abc' });
    expect(() => decodeCursor(text, 'energy')).toThrow(/^cursor: it belongs to sort=-start/);
    expect(() => decodeCursor('bm90LWpzb24', '-start')).toThrow(/^cursor: not a cursor/);
    expect(() => decodeCursor(Buffer.from('["-start","1","x"]').toString('base64url'), '-start')).toThrow(/^cursor: not a cursor/);
  });
});
