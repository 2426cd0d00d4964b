/**
 * Charging sessions for benches, written straight to SQL in batches as the recorder would have stored them:
 * one every 30 minutes from 2021-01-01 on chargepoints 3 and 4, vehicles 0–2, every 50th corrected with a note.
 * A row names every column of the repository's STORED_COLUMNS (a Record over them), so a migration that adds
 * a column fails the bench's type check instead of leaving it writing rows without it.
 */
import type { Database, SqlParam } from '../../src/db/database.ts';
import { STORED_COLUMNS, type StoredColumn } from '../../src/sessions/session-repository.ts';

const INSERT_BATCH = 500;
export const SEED_START = Date.parse('2021-01-01T00:00:00Z');

/** One session every 30 minutes on two chargepoints, as the recorder would have stored them; every 50th corrected. */
export function sessionRow(i: number): Record<StoredColumn, SqlParam> {
  const start = SEED_START + i * 1_800_000;
  const energy = 2_000 + ((i * 7919) % 20_000) + 0.125;
  const chargingS = Math.round((energy / 11_000) * 3600);
  const corrected = i % 50 === 0;
  const state = JSON.stringify({ chargingMs: chargingS * 1000, lastSeenAt: start + 1_700_000, lastCharging: false, meter: null });
  return {
    id: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    chargepoint_id: i % 2 ? '4' : '3',
    start_ms: start,
    end_ms: start + 1_700_000,
    energy_wh: energy,
    charging_time_s: chargingS,
    mean_power_w: (energy * 3600) / chargingS,
    peak_power_w: 11_040,
    soc_start: 20 + (i % 30),
    soc_end: 80,
    charge_modes: i % 3 ? 'pv,instant' : 'pv',
    rfid_tag: i % 4 ? '04A1B2C3' : null,
    vehicle_id: String(i % 3),
    vehicle_name: ['e-Golf', 'Zoe', 'Dienstwagen Müller'][i % 3] ?? null,
    user_id: null,
    cost: Math.round(energy * 0.3) / 1000,
    meter_start_wh: 1_250_000 + i * 22_000,
    meter_end_wh: 1_250_000 + i * 22_000 + energy,
    source: 'recorder',
    external_key: null,
    state,
    updated_at: start,
    quality: i % 97 ? 'measured' : 'corrected',
    correction_vehicle_id: null,
    correction_vehicle_name: null,
    correction_note: corrected ? 'private use, "weekend"' : null,
    corrected_at: corrected ? start + 86_400_000 : null,
    corrected_by_type: corrected ? 'user' : null,
    corrected_by_id: corrected ? 'bench-user' : null,
    corrected_by_name: corrected ? 'bench' : null,
  };
}

/** Stores `count` sessions; returns the seconds it took. */
export async function seedSessions(db: Database, count: number): Promise<number> {
  const started = performance.now();
  const placeholders = `(${STORED_COLUMNS.map(() => '?').join(', ')})`;
  for (let from = 0; from < count; from += INSERT_BATCH) {
    const rows = Math.min(INSERT_BATCH, count - from);
    const params = Array.from({ length: rows }, (_, k) => {
      const row = sessionRow(from + k);
      return STORED_COLUMNS.map((column) => row[column]);
    }).flat();
    await db.transaction((tx) =>
      tx.execute(
        `INSERT INTO charging_sessions (${STORED_COLUMNS.join(', ')}) VALUES ${Array(rows).fill(placeholders).join(', ')}`,
        params,
      ),
    );
  }
  return (performance.now() - started) / 1000;
}
