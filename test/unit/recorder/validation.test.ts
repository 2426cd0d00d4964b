import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTANCE_ID_PATTERN, resolveInstanceId } from '../../../src/recorder/instance-id.ts';
import { isContentError, RowRejectedError } from '../../../src/recorder/row-errors.ts';
import { checkSession, sampleProblem } from '../../../src/recorder/validation.ts';
import type { Session } from '../../../src/sessions/model.ts';

const session: Session = {
  id: '5b2c1e9d-0000-4000-8000-000000000001',
  chargepointId: '3',
  start: 1_000,
  end: null,
  energy: 100,
  chargingMs: 60_000,
  meanPower: null,
  peakPower: 11_000,
  socStart: 40,
  socEnd: 45,
  chargeModes: ['pv'],
  rfidTag: '04A1B2C3',
  vehicle: { id: '1', name: 'e-Golf' },
  userId: null,
  cost: null,
  meterStart: 1000,
  meterLast: 1100,
  source: 'recorder',
  externalKey: null,
  lastSeenAt: 61_000,
  lastCharging: true,
  quality: 'measured',
};

describe('recorder checks before SQL', () => {
  it('refuses samples the database would refuse or store wrongly', () => {
    expect(sampleProblem({ series: 'grid.power', ts: 1000, value: 5 })).toBeUndefined();
    expect(sampleProblem({ series: 'chargepoint.1234567890123456789012345678901234567890.power', ts: 1000, value: 5 })?.reason).toBe(
      'invalid-series',
    );
    expect(sampleProblem({ series: 'grid.power', ts: 1000, value: Number.NaN })?.reason).toBe('non-finite');
    expect(sampleProblem({ series: 'grid.power', ts: 1000, value: Infinity })?.reason).toBe('non-finite');
    expect(sampleProblem({ series: 'grid.energyImported', ts: 1000, value: 1e308 })?.reason).toBe('out-of-range');
  });

  it('stores a session without its bad optional fields and refuses one without a usable energy', () => {
    expect(checkSession(session)).toEqual({ storable: session, problems: [] });
    const bad = { ...session, rfidTag: 'x'.repeat(250), peakPower: Infinity, vehicle: { id: '1', name: 'n'.repeat(201) } };
    const checked = checkSession(bad);
    expect(checked.storable).toEqual({ ...session, rfidTag: null, peakPower: null, vehicle: { id: '1', name: null } });
    expect(checked.problems.map((p) => p.reason)).toEqual(['non-finite', 'too-long', 'too-long']);
    expect(bad.rfidTag).toHaveLength(250); // the original is untouched, for the quarantine
    expect(checkSession({ ...session, energy: Number.NaN })).toEqual({
      storable: undefined,
      problems: [{ reason: 'non-finite', detail: 'energy NaN' }],
    });
  });

  it('tells a row the database refuses from a failing connection', () => {
    const mariadb = (errno: number, sqlState: string, fatal = false) => Object.assign(new Error('x'), { errno, sqlState, fatal });
    expect(isContentError(mariadb(1406, '22001'))).toBe(true); // data too long
    expect(isContentError(mariadb(1054, '42S22'))).toBe(true); // unknown column 'Infinity'
    expect(isContentError(mariadb(1644, '45000'))).toBe(true); // refused by a trigger
    expect(isContentError(mariadb(1213, '40001'))).toBe(false); // deadlock: retry the batch
    expect(isContentError(mariadb(1205, 'HY000'))).toBe(false); // lock wait timeout
    expect(isContentError(mariadb(45028, 'HY000', true))).toBe(false); // pool timeout
    expect(isContentError(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_TRIGGER' }))).toBe(true);
    expect(isContentError(Object.assign(new Error('x'), { code: 'SQLITE_READONLY' }))).toBe(false);
    expect(isContentError(Object.assign(new Error('x'), { code: 'SQLITE_BUSY' }))).toBe(false);
    expect(isContentError(new TypeError('The database connection is not open'))).toBe(false);
    expect(isContentError(new RowRejectedError('not a recordable series'))).toBe(true);
    expect(isContentError(new Error('connect ECONNREFUSED 127.0.0.1:3306'))).toBe(false);
  });
});

describe('instance identity', () => {
  it('is the configured one, or made once and kept in its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'owg-instance-'));
    try {
      const file = join(dir, 'data', 'instance-id');
      expect(resolveInstanceId('gw-a', file)).toBe('gw-a');
      expect(existsSync(file)).toBe(false);
      const made = resolveInstanceId(undefined, file);
      expect(made).toMatch(INSTANCE_ID_PATTERN);
      expect(resolveInstanceId(undefined, file)).toBe(made); // the restarted instance is the same one
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
