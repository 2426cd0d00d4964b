/** SQL for pulse meters, their pulses and connection losses (src/db/migrations/meters.ts). */
import type { Database } from '../db/database.ts';
import { perDialect } from '../db/sql-dialect.ts';
import { NotFoundError } from '../errors.ts';
import { RESOLUTIONS_MS, type Resolution } from '../history/rollups.ts';
import type { LossCount, SlotCount } from './pulse-math.ts';

type Executor = Pick<Database, 'dialect' | 'query' | 'execute'>;

export interface MeterRecord {
  id: string;
  userId: string | null;
  name: string;
  energyPerPulseWh: number;
  startReadingWh: number;
  /** Pulses recorded with their times. */
  pulseCount: number;
  /** Pulses reported missed in connection losses. */
  missedPulses: number;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: string;
  user_id: string | null;
  name: string;
  energy_per_pulse_wh: number;
  start_reading_wh: number;
  pulse_count: number | bigint;
  missed_pulses: number | bigint;
  created_at: number | bigint;
  updated_at: number | bigint;
}

const COLUMNS = 'id, user_id, name, energy_per_pulse_wh, start_reading_wh, pulse_count, missed_pulses, created_at, updated_at';

const toRecord = (row: Row): MeterRecord => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  energyPerPulseWh: Number(row.energy_per_pulse_wh),
  startReadingWh: Number(row.start_reading_wh),
  pulseCount: Number(row.pulse_count),
  missedPulses: Number(row.missed_pulses),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

/** Where a page of meters continues: after this (createdAt, id). */
export interface MeterCursor {
  createdAt: number;
  id: string;
}

/** The state a reading is computed from. */
export interface MeterState {
  meter: MeterRecord;
  /** The last two pulse times, newest first. */
  lastPulses: number[];
  lastLossEndedAt: number | null;
  pulsesSince: number;
  missedSince: number;
}

const insertPulses = perDialect(
  (sql) => (count: number) => `${sql.insertIgnore} INTO meter_pulses (meter_id, at) VALUES ${'(?, ?), '.repeat(count - 1)}(?, ?)`,
);
const addCounts = perDialect(
  (sql) => (count: number) =>
    `INSERT INTO meter_pulse_counts (meter_id, resolution_ms, slot, pulses) VALUES ${'(?, ?, ?, ?), '.repeat(count - 1)}(?, ?, ?, ?) ` +
    sql.onConflictUpdate(['meter_id', 'resolution_ms', 'slot'], { pulses: (added) => `pulses + ${added}` }),
);
const insertLoss = perDialect(
  (sql) => `${sql.insertIgnore} INTO meter_connection_losses (meter_id, ended_at, duration_ms, pulses_missed) VALUES (?, ?, ?, ?)`,
);
const lockMeter = perDialect((sql) => `SELECT id FROM meters WHERE id = ?${sql.forUpdate}`);

export class MeterRepository {
  constructor(private readonly db: Database) {}

  async insert(meter: MeterRecord): Promise<void> {
    await this.db.execute(`INSERT INTO meters (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      meter.id,
      meter.userId,
      meter.name,
      meter.energyPerPulseWh,
      meter.startReadingWh,
      meter.pulseCount,
      meter.missedPulses,
      meter.createdAt,
      meter.updatedAt,
    ]);
  }

  async get(id: string, executor: Executor = this.db): Promise<MeterRecord | undefined> {
    const rows = await executor.query<Row>(`SELECT ${COLUMNS} FROM meters WHERE id = ?`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Oldest first; `userId` undefined: every meter. One more than `limit` tells whether a next page exists. */
  async list(userId: string | null | undefined, after: MeterCursor | undefined, limit: number): Promise<MeterRecord[]> {
    const where: string[] = [];
    const params: (string | number | null)[] = [];
    if (userId !== undefined) {
      where.push(userId === null ? 'user_id IS NULL' : 'user_id = ?');
      if (userId !== null) params.push(userId);
    }
    if (after) {
      where.push('(created_at > ? OR (created_at = ? AND id > ?))');
      params.push(after.createdAt, after.createdAt, after.id);
    }
    // Every clause above is a constant; only values are parameters.
    const rows = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM meters${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT ?`,
      [...params, limit],
    );
    return rows.map(toRecord);
  }

  async update(meter: MeterRecord): Promise<boolean> {
    const { changes } = await this.db.execute(
      'UPDATE meters SET name = ?, energy_per_pulse_wh = ?, start_reading_wh = ?, updated_at = ? WHERE id = ?',
      [meter.name, meter.energyPerPulseWh, meter.startReadingWh, meter.updatedAt, meter.id],
    );
    return changes > 0;
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.execute('DELETE FROM meter_pulses WHERE meter_id = ?', [id]);
      await tx.execute('DELETE FROM meter_pulse_counts WHERE meter_id = ?', [id]);
      await tx.execute('DELETE FROM meter_connection_losses WHERE meter_id = ?', [id]);
      const { changes } = await tx.execute('DELETE FROM meters WHERE id = ?', [id]);
      return changes > 0;
    });
  }

  /**
   * Records the pulses (sorted ms, unique); returns how many were new. The meter row is locked, so the
   * pulses already stored are known exactly: only the new ones count into the totals and slot counts.
   */
  async addPulses(meterId: string, times: readonly number[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      await this.lock(tx, meterId);
      const known = await tx.query<{ at: number | bigint }>(
        `SELECT at FROM meter_pulses WHERE meter_id = ? AND at IN (${'?, '.repeat(times.length - 1)}?)`,
        [meterId, ...times],
      );
      const stored = new Set(known.map((row) => Number(row.at)));
      const fresh = times.filter((at) => !stored.has(at));
      if (fresh.length === 0) return 0;
      const params: (string | number)[] = [];
      for (const at of fresh) params.push(meterId, at);
      await tx.execute(insertPulses(tx)(fresh.length), params);
      const slots = new Map<string, [Resolution, number, number]>();
      for (const at of fresh) {
        for (const resolution of RESOLUTIONS_MS) {
          const slot = at - (at % resolution);
          const key = `${resolution}:${slot}`;
          const entry = slots.get(key);
          if (entry) entry[2]++;
          else slots.set(key, [resolution, slot, 1]);
        }
      }
      const counts: (string | number)[] = [];
      for (const [resolution, slot, pulses] of slots.values()) counts.push(meterId, resolution, slot, pulses);
      await tx.execute(addCounts(tx)(slots.size), counts);
      await tx.execute('UPDATE meters SET pulse_count = pulse_count + ? WHERE id = ?', [fresh.length, meterId]);
      return fresh.length;
    });
  }

  /** Records a connection loss; false when the same one (meter, endedAt) was recorded before. */
  async addConnectionLoss(meterId: string, loss: { endedAt: number; durationMs: number; pulsesMissed: number }): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await this.lock(tx, meterId);
      const { changes } = await tx.execute(insertLoss(tx), [meterId, loss.endedAt, loss.durationMs, loss.pulsesMissed]);
      if (changes > 0 && loss.pulsesMissed > 0) {
        await tx.execute('UPDATE meters SET missed_pulses = missed_pulses + ? WHERE id = ?', [loss.pulsesMissed, meterId]);
      }
      return changes > 0;
    });
  }

  /** What a reading needs; `since` is the start of today. Every query is a range of the (meter_id, time) keys. */
  async state(meterId: string, since: number): Promise<MeterState | undefined> {
    const meter = await this.get(meterId);
    if (!meter) return undefined;
    const [last, loss, today, missed] = await Promise.all([
      this.db.query<{ at: number | bigint }>('SELECT at FROM meter_pulses WHERE meter_id = ? ORDER BY at DESC LIMIT 2', [meterId]),
      this.db.query<{ at: number | bigint | null }>('SELECT MAX(ended_at) AS at FROM meter_connection_losses WHERE meter_id = ?', [
        meterId,
      ]),
      this.db.query<{ n: number | bigint }>('SELECT COUNT(*) AS n FROM meter_pulses WHERE meter_id = ? AND at >= ?', [meterId, since]),
      this.db.query<{ n: number | bigint | null }>(
        'SELECT SUM(pulses_missed) AS n FROM meter_connection_losses WHERE meter_id = ? AND ended_at >= ?',
        [meterId, since],
      ),
    ]);
    const lossAt = loss[0]?.at;
    return {
      meter,
      lastPulses: last.map((row) => Number(row.at)),
      lastLossEndedAt: lossAt === null || lossAt === undefined ? null : Number(lossAt),
      pulsesSince: Number(today[0]?.n ?? 0),
      missedSince: Number(missed[0]?.n ?? 0),
    };
  }

  /** Pulses per UTC slot of `resolution` (which must divide from and to) and the connection losses in [from, to). */
  async history(meterId: string, resolution: Resolution, from: number, to: number): Promise<{ slots: SlotCount[]; losses: LossCount[] }> {
    const [slots, losses] = await Promise.all([
      this.db.query<{ slot: number | bigint; n: number | bigint }>(
        'SELECT slot, pulses AS n FROM meter_pulse_counts WHERE meter_id = ? AND resolution_ms = ? AND slot >= ? AND slot < ? ORDER BY slot',
        [meterId, resolution, from, to],
      ),
      this.db.query<{ ended_at: number | bigint; pulses_missed: number | bigint }>(
        'SELECT ended_at, pulses_missed FROM meter_connection_losses WHERE meter_id = ? AND ended_at >= ? AND ended_at < ? ORDER BY ended_at',
        [meterId, from, to],
      ),
    ]);
    return {
      slots: slots.map((row) => ({ slot: Number(row.slot), pulses: Number(row.n) })),
      losses: losses.map((row) => ({ endedAt: Number(row.ended_at), pulsesMissed: Number(row.pulses_missed) })),
    };
  }

  private async lock(tx: Executor, meterId: string): Promise<void> {
    const rows = await tx.query<{ id: string }>(lockMeter(tx), [meterId]);
    if (rows.length === 0) throw new NotFoundError(`Meter ${meterId} does not exist`);
  }
}
