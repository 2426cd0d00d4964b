import { describe, expect, it } from 'vitest';
import { OutageBuffer } from '../../../src/recorder/outage-buffer.ts';
import { recorderCheck } from '../../../src/recorder/readiness.ts';
import { samplesOf, type LiveSnapshot } from '../../../src/recorder/sampling.ts';
import type { Session } from '../../../src/sessions/model.ts';

const sample = (ts: number) => ({ series: 'home.power', ts, value: ts });
const session = (id: string, end: number | null) => ({ id, end }) as Session;

describe('outage buffer', () => {
  it('drops the oldest samples beyond its size and counts them', () => {
    const buffer = new OutageBuffer(5);
    expect(buffer.addSamples([1, 2, 3].map(sample))).toBe(0);
    expect(buffer.addSamples([4, 5, 6, 7].map(sample))).toBe(2);
    expect(buffer.peekSamples(10).map((s) => s.ts)).toEqual([3, 4, 5, 6, 7]);
    buffer.dropWritten(2);
    expect(buffer.peekSamples(10).map((s) => s.ts)).toEqual([5, 6, 7]);
    expect([buffer.sampleCount, buffer.lostSamples]).toEqual([3, 2]);
  });

  it('never drops a batch while it is written: each sample is written, lost or buffered exactly once', () => {
    const buffer = new OutageBuffer(5);
    buffer.addSamples([1, 2, 3, 4].map(sample));
    const batch = buffer.peekSamples(3); // 1, 2, 3 go to the database…
    expect(buffer.addSamples([5, 6, 7].map(sample))).toBe(2); // …while the buffer overflows: 4 and 5 make room
    buffer.dropWritten(batch.length);
    expect(buffer.peekSamples(10).map((s) => s.ts)).toEqual([6, 7]);
    expect(buffer.lostSamples).toBe(2);

    const failing = buffer.peekSamples(10);
    buffer.writeFailed(); // kept, and the oldest again
    expect(buffer.addSamples([8, 9, 10, 11].map(sample))).toBe(1);
    expect(buffer.peekSamples(10).map((s) => s.ts)).toEqual([7, 8, 9, 10, 11]);
    expect(failing.map((s) => s.ts)).toEqual([6, 7]);
  });

  it('keeps the latest version of a session and prefers finished sessions when full', () => {
    const buffer = new OutageBuffer(10, 2);
    const open1 = session('a', null);
    buffer.putSession(open1);
    buffer.putSession(session('b', 5));
    const newer = session('a', null);
    buffer.putSession(newer);
    buffer.sessionWritten(open1); // an older version was written: the newer one stays
    expect(buffer.pendingSessions()).toEqual([session('b', 5), newer]);
    expect(buffer.putSession(session('c', 9))).toBe(1);
    expect(buffer.pendingSessions().map((s) => s.id)).toEqual(['b', 'c']);
    expect(buffer.lostSessions).toBe(1);
  });
});

describe('readiness report', () => {
  it('is ok without loss and explains buffered and lost samples', () => {
    const base = {
      active: true,
      bufferedSamples: 0,
      bufferedSessions: 0,
      lostSamples: 0,
      lostSessions: 0,
      lastError: undefined,
      lastWriteAt: Date.parse('2026-05-20T12:00:40Z'),
      stalledForMs: undefined,
    };
    expect(recorderCheck(base)).toEqual({
      ok: true,
      active: true,
      bufferedSamples: 0,
      bufferedSessions: 0,
      lostSamples: 0,
      lostSessions: 0,
      stalled: false,
      lastWriteAt: '2026-05-20T12:00:40.000Z',
    });
    expect(recorderCheck({ ...base, bufferedSamples: 50, lostSamples: 10, lastError: 'connect ECONNREFUSED' })).toEqual({
      ok: false,
      detail:
        '50 samples and 0 session updates wait for the database; 10 samples and 0 session updates lost to a full buffer since start; last write failed: connect ECONNREFUSED',
      active: true,
      bufferedSamples: 50,
      bufferedSessions: 0,
      lostSamples: 10,
      lostSessions: 0,
      stalled: false,
      lastWriteAt: '2026-05-20T12:00:40.000Z',
    });
  });

  it('says stalled, and why, when the recorder has not written for several intervals', () => {
    const status = {
      active: true,
      bufferedSamples: 40,
      bufferedSessions: 1,
      lostSamples: 0,
      lostSessions: 0,
      lastError: 'SQLITE_READONLY: attempt to write a readonly database',
      lastWriteAt: undefined,
      stalledForMs: 41_000,
    };
    expect(recorderCheck(status)).toMatchObject({
      ok: false,
      stalled: true,
      lastWriteAt: null,
      detail:
        'no statistics written for 41 s: the last write failed: SQLITE_READONLY: attempt to write a readonly database; 40 samples and 1 session updates wait for the database',
    });
    expect(recorderCheck({ ...status, lastError: undefined }).detail).toMatch(/^no statistics written for 41 s: no write round completed/);
  });
});

describe('sampling', () => {
  it('records fresh numbers only', () => {
    const fresh = { updatedAt: '2026-01-01T00:00:00Z', stale: false };
    const snapshot = {
      chargepoints: [
        { id: '3', power: 0, energyImported: 100, energyExported: null, vehicle: { id: '1', name: 'x', soc: 50 }, ...fresh },
        { id: '4', power: 7000, energyImported: 100, energyExported: 0, vehicle: null, updatedAt: null, stale: true },
      ],
      site: {
        grid: { power: 10, energyImported: null, energyExported: null, ...fresh },
        pv: { power: null, energyToday: 1, energyTotal: 2, ...fresh },
        battery: { power: 1, soc: 2, energyImported: 3, energyExported: 4, updatedAt: null, stale: true },
        home: { power: 480, energyToday: null, ...fresh },
      },
      vehicles: [{ id: '1', soc: 55, ...fresh }],
    } as unknown as LiveSnapshot;
    expect(samplesOf(snapshot, 1000).map((s) => `${s.series}=${s.value}`)).toEqual([
      'chargepoint.3.power=0',
      'chargepoint.3.energyImported=100',
      'chargepoint.3.vehicleSoc=50',
      'grid.power=10',
      'pv.energyTotal=2',
      'home.power=480',
      'vehicle.1.soc=55',
    ]);
  });
});
