/**
 * The batch writer: raw samples plus their 5-minute, hourly and daily rollups, in one transaction per
 * batch. Idempotent per series: a sample not newer than the series' last written sample is skipped, so
 * replaying a batch after an ambiguous failure (commit sent, answer lost) writes nothing twice. Counter
 * series go through the meter-counter logic, whose state is kept with the series in the same transaction.
 */
import type { Database, SqlParam } from '../db/database.ts';
import { perDialect } from '../db/sql-dialect.ts';
import { RowRejectedError } from '../recorder/row-errors.ts';
import type { Sample } from '../recorder/sampling.ts';
import { DEFAULT_MAX_POWER_W, readCounter, type CounterState } from './meter-counter.ts';
import { rollupsOf, type RolledSample, type RollupRow } from './rollups.ts';
import { advanceSeries, ensureSeries, type SeriesRow } from './series-repository.ts';
import { seriesFamilyOf, seriesKindOf, type SeriesKind } from './series.ts';
import { chunks, flatten, placeholders } from './sql-batches.ts';

type Executor = Pick<Database, 'dialect' | 'query' | 'execute'>;

const SAMPLE_ROWS = 1024;
const ROLLUP_ROWS = 256;

const ROLLUP_COLUMNS = 'resolution_ms, series_id, bucket_start, n, sum_value, min_value, max_value, energy, suspect_readings, meter_resets';
const rollupUpsert = perDialect((sql) => {
  const merge = sql.onConflictUpdate(['resolution_ms', 'series_id', 'bucket_start'], {
    n: (added) => `n + ${added}`,
    sum_value: (added) => `sum_value + ${added}`,
    min_value: (added) => sql.least('min_value', added),
    max_value: (added) => sql.greatest('max_value', added),
    energy: (added) => `energy + ${added}`,
    suspect_readings: (added) => `suspect_readings + ${added}`,
    meter_resets: (added) => `meter_resets + ${added}`,
  });
  return (rows: number) => `INSERT INTO stat_rollups (${ROLLUP_COLUMNS}) VALUES ${placeholders(rows, 10)} ${merge}`;
});

export interface WriteResult {
  written: number;
  /** Samples not newer than what the database already holds for their series. */
  skipped: number;
}

/** What the counters of one series family (`chargepoint.energyImported`) showed in a written batch. */
export interface CounterEvents {
  glitches: number;
  resets: number;
  rollovers: number;
}

export interface SampleWriterOptions {
  /** Bounds of counted energy, W: chargepoint series and site (grid, pv, battery) series. */
  maxPowerW?: { chargepoint: number; site: number };
  /** Called once a batch is committed, per series family whose counters showed anything. */
  onCounterEvents?: (family: string, events: CounterEvents) => void;
}

/** The counter state of a series recorded before the state was kept: its last sample, trusted. */
function counterStateOf(row: SeriesRow): CounterState | null {
  if (row.counterState) return row.counterState;
  if (row.lastValue === null || row.lastTs === null) return null;
  return { base: row.lastValue, baseAt: row.lastTs, sinceAt: row.lastTs, pending: null };
}

export class SampleWriter {
  constructor(
    private readonly db: Database,
    private readonly options: SampleWriterOptions = {},
  ) {}

  async write(samples: readonly Sample[]): Promise<WriteResult> {
    if (samples.length === 0) return { written: 0, skipped: 0 };
    const bySeries = new Map<string, Sample[]>();
    const kinds = new Map<string, SeriesKind>();
    for (const sample of samples) {
      const kind = seriesKindOf(sample.series);
      if (!kind) throw new RowRejectedError(`not a recordable series: ${sample.series}`);
      kinds.set(sample.series, kind);
      let list = bySeries.get(sample.series);
      if (!list) bySeries.set(sample.series, (list = []));
      list.push(sample);
    }
    const events = new Map<string, CounterEvents>();
    const result = await this.db.transaction((tx) => {
      events.clear(); // a retried transaction starts over
      return this.writeGrouped(tx, bySeries, kinds, events);
    });
    for (const [family, counted] of events) this.options.onCounterEvents?.(family, counted);
    return result;
  }

  private async writeGrouped(
    tx: Executor,
    bySeries: Map<string, Sample[]>,
    kinds: Map<string, SeriesKind>,
    events: Map<string, CounterEvents>,
  ): Promise<WriteResult> {
    const series = await ensureSeries(tx, kinds);
    const sampleRows: SqlParam[][] = [];
    const rollups: RollupRow[] = [];
    let skipped = 0;
    for (const [key, list] of bySeries) {
      const row = series.get(key);
      if (!row) throw new RowRejectedError(`series ${key} could not be created`);
      list.sort((a, b) => a.ts - b.ts);
      let previousTs = row.lastTs ?? Number.NEGATIVE_INFINITY;
      let previousValue = row.lastValue;
      const counter = row.kind === 'energy' ? this.counterOf(key, counterStateOf(row), events) : undefined;
      const fresh: RolledSample[] = [];
      for (const s of list) {
        if (s.ts <= previousTs) {
          skipped++;
          continue;
        }
        fresh.push(counter ? counter.read(s) : { ts: s.ts, value: s.value, energy: 0, suspect: false, reset: false });
        sampleRows.push([row.id, s.ts, s.value]);
        previousTs = s.ts;
        previousValue = s.value;
      }
      if (fresh.length === 0) continue;
      rollups.push(...rollupsOf(row.id, fresh));
      await advanceSeries(tx, row.id, (fresh[0] as { ts: number }).ts, previousTs, previousValue as number, counter?.state() ?? null);
    }
    for (const chunk of chunks(sampleRows, SAMPLE_ROWS)) {
      await tx.execute(`INSERT INTO stat_samples (series_id, ts, value) VALUES ${placeholders(chunk.length, 3)}`, chunk.flat());
    }
    const upsert = rollupUpsert(tx);
    for (const chunk of chunks(rollups, ROLLUP_ROWS)) {
      await tx.execute(
        upsert(chunk.length),
        flatten(chunk, (r) => [r.resolution, r.seriesId, r.bucketStart, r.n, r.sum, r.min, r.max, r.energy, r.suspect, r.resets]),
      );
    }
    return { written: sampleRows.length, skipped };
  }

  /** Reads a counter series sample by sample; its rollups aggregate the trusted meter reading, not a glitch. */
  private counterOf(key: string, initial: CounterState | null, events: Map<string, CounterEvents>) {
    const maxPowerW = this.options.maxPowerW ?? DEFAULT_MAX_POWER_W;
    const limits = { maxPowerW: key.startsWith('chargepoint.') ? maxPowerW.chargepoint : maxPowerW.site };
    const family = seriesFamilyOf(key);
    let state = initial;
    return {
      state: () => state,
      read: (sample: Sample): RolledSample => {
        const step = readCounter(state, sample.value, sample.ts, limits);
        state = step.state;
        if (step.glitches > 0 || step.baseline) {
          const counted = events.get(family) ?? { glitches: 0, resets: 0, rollovers: 0 };
          counted.glitches += step.glitches;
          if (step.baseline === 'reset') counted.resets++;
          if (step.baseline === 'rollover') counted.rollovers++;
          events.set(family, counted);
        }
        const value = state?.base ?? 0;
        return { ts: sample.ts, value, energy: step.energy, suspect: step.suspect, reset: step.baseline === 'reset' };
      },
    };
  }
}
