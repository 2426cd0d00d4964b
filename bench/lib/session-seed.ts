/**
 * Charging sessions for benches, written straight to SQL in batches as the recorder would have stored them:
 * one every 30 minutes from 2021-01-01 on chargepoints 3 and 4, vehicles 0–2, every 50th corrected with a note.
 */
import type { Database, SqlParam } from '../../src/db/database.ts';

const INSERT_BATCH = 500;
export const SEED_START = Date.parse('2021-01-01T00:00:00Z');

const COLUMNS = [
  'id',
  'chargepoint_id',
  'start_ms',
  'end_ms',
  'energy_wh',
  'charging_time_s',
  'mean_power_w',
  'peak_power_w',
  'soc_start',
  'soc_end',
  'charge_modes',
  'rfid_tag',
  'vehicle_id',
  'vehicle_name',
  'user_id',
  'cost',
  'meter_start_wh',
  'meter_end_wh',
  'source',
  'external_key',
  'state',
  'updated_at',
  'quality',
  'correction_note',
  'corrected_at',
  'corrected_by_type',
  'corrected_by_id',
  'corrected_by_name',
];

/** One session every 30 minutes on two chargepoints, as the recorder would have stored them; every 50th corrected. */
export function sessionRow(i: number): SqlParam[] {
  const start = SEED_START + i * 1_800_000;
  const energy = 2_000 + ((i * 7919) % 20_000) + 0.125;
  const chargingS = Math.round((energy / 11_000) * 3600);
  const corrected = i % 50 === 0;
  const state = JSON.stringify({ chargingMs: chargingS * 1000, lastSeenAt: start + 1_700_000, lastCharging: false, meter: null });
  return [
    `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    i % 2 ? '4' : '3',
    start,
    start + 1_700_000,
    energy,
    chargingS,
    (energy * 3600) / chargingS,
    11_040,
    20 + (i % 30),
    80,
    i % 3 ? 'pv,instant' : 'pv',
    i % 4 ? '04A1B2C3' : null,
    String(i % 3),
    ['e-Golf', 'Zoe', 'Dienstwagen Müller'][i % 3] ?? null,
    null,
    Math.round(energy * 0.3) / 1000,
    1_250_000 + i * 22_000,
    1_250_000 + i * 22_000 + energy,
    'recorder',
    null,
    state,
    start,
    i % 97 ? 'measured' : 'corrected',
    corrected ? 'private use, "weekend"' : null,
    corrected ? start + 86_400_000 : null,
    corrected ? 'user' : null,
    corrected ? 'bench-user' : null,
    corrected ? 'bench' : null,
  ];
}

/** Stores `count` sessions; returns the seconds it took. */
export async function seedSessions(db: Database, count: number): Promise<number> {
  const started = performance.now();
  const placeholders = `(${COLUMNS.map(() => '?').join(', ')})`;
  for (let from = 0; from < count; from += INSERT_BATCH) {
    const rows = Math.min(INSERT_BATCH, count - from);
    const params = Array.from({ length: rows }, (_, k) => sessionRow(from + k)).flat();
    await db.transaction((tx) =>
      tx.execute(`INSERT INTO charging_sessions (${COLUMNS.join(', ')}) VALUES ${Array(rows).fill(placeholders).join(', ')}`, params),
    );
  }
  return (performance.now() - started) / 1000;
}
