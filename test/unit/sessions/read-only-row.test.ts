import { describe, expect, it } from 'vitest';
import { fromRow, READ_ONLY_COLUMNS, readOnlyRow, ReusedSession } from '../../../src/sessions/session-repository.ts';

describe('readOnlyRow', () => {
  it('names every value of a read-only selection by its column, in the SELECT order', () => {
    expect(readOnlyRow(READ_ONLY_COLUMNS)).toEqual(Object.fromEntries(READ_ONLY_COLUMNS.map((column) => [column, column])));
  });

  it('reads a missing value as null', () => {
    expect(Object.values(readOnlyRow([])).every((value) => value === null)).toBe(true);
  });
});

/** Rows as the driver returns them, varied over every column that fromRow reads in more than one way. */
function rows(): (string | number | null)[][] {
  const columns = READ_ONLY_COLUMNS;
  const base = (i: number): Record<(typeof columns)[number], string | number | null> => ({
    id: `id-${i}`,
    chargepoint_id: i % 2 ? '3' : 4,
    start_ms: 1_780_000_000_000 + i,
    end_ms: i % 3 ? 1_780_000_360_000 + i : null,
    energy_wh: 1234.5 + i,
    charging_time_s: i % 5 ? 3600 + i : '42',
    mean_power_w: i % 4 ? 11_000.25 : null,
    peak_power_w: i % 6 ? 11_040 : null,
    soc_start: i % 7 ? 20 : null,
    soc_end: i % 7 ? '80' : null,
    charge_modes: [null, '', 'pv', 'pv,instant', 'pv,bogus,eco', 'instant'][i % 6] ?? null,
    rfid_tag: i % 2 ? 'A1B2' : null,
    vehicle_id: [null, '1', null, '2'][i % 4] ?? null,
    vehicle_name: [null, 'Zoe', 'nameless', null][i % 4] ?? null,
    user_id: i % 3 ? 'u-1' : null,
    cost: i % 5 ? 1.2345 : null,
    meter_start_wh: i % 2 ? 1_000_000 : null,
    meter_end_wh: i % 2 ? 1_001_234.5 : null,
    source: i % 4 ? 'recorder' : 'chargelog',
    external_key: i % 4 ? null : `k-${i}`,
    quality: [null, 'measured', 'corrected', 'incomplete', 'bogus'][i % 5] ?? null,
    correction_vehicle_id: i % 3 === 1 ? '7' : null,
    correction_vehicle_name: i % 3 === 1 ? 'Dienstwagen' : null,
    correction_note: i % 2 ? 'private use' : null,
    corrected_at: i % 3 ? 1_780_100_000_000 : null,
    corrected_by_type: i % 2 ? 'apiKey' : 'user',
    corrected_by_id: i % 5 ? 'k1' : null,
    corrected_by_name: i % 2 ? 'admin' : null,
  });
  return Array.from({ length: 60 }, (_, i) => columns.map((column) => base(i)[column]));
}

describe('ReusedSession', () => {
  it('refills one session equal to fromRow(readOnlyRow(values)) for every row, whatever came before', () => {
    const reused = new ReusedSession();
    // Forwards and backwards: no field may keep a value from the previous row.
    for (const values of [...rows(), ...rows().reverse()]) {
      expect(structuredClone(reused.fill(values))).toEqual(fromRow(readOnlyRow(values)));
    }
  });
});
