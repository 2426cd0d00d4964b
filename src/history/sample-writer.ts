/**
 * The batch writer: raw samples plus their 5-minute, hourly and daily rollups, in one transaction per
 * batch. Idempotent per series: a sample not newer than the series' last written sample is skipped, so
 * replaying a batch after an ambiguous failure (commit sent, answer lost) writes nothing twice.
 */
import type { Database, SqlParam } from '../db/database.ts';
import { RowRejectedError } from '../recorder/row-errors.ts';
import type { Sample } from '../recorder/sampling.ts';
import { counterDelta, rollupsOf, type RollupRow } from './rollups.ts';
import { advanceSeries, ensureSeries } from './series-repository.ts';
import { seriesKindOf, type SeriesKind } from './series.ts';
import { chunks, flatten, placeholders } from './sql-batches.ts';

type Executor = Pick<Database, 'dialect' | 'query' | 'execute'>;

const SAMPLE_ROWS = 1024;
const ROLLUP_ROWS = 256;

const ROLLUP_UPSERT = {
  sqlite: (rows: number) =>
    `INSERT INTO stat_rollups (resolution_ms, series_id, bucket_start, n, sum_value, min_value, max_value, energy) VALUES ${placeholders(rows, 8)}
     ON CONFLICT (resolution_ms, series_id, bucket_start) DO UPDATE SET n = n + excluded.n, sum_value = sum_value + excluded.sum_value,
       min_value = MIN(min_value, excluded.min_value), max_value = MAX(max_value, excluded.max_value), energy = energy + excluded.energy`,
  mariadb: (rows: number) =>
    `INSERT INTO stat_rollups (resolution_ms, series_id, bucket_start, n, sum_value, min_value, max_value, energy) VALUES ${placeholders(rows, 8)}
     ON DUPLICATE KEY UPDATE n = n + VALUES(n), sum_value = sum_value + VALUES(sum_value),
       min_value = LEAST(min_value, VALUES(min_value)), max_value = GREATEST(max_value, VALUES(max_value)), energy = energy + VALUES(energy)`,
};

export interface WriteResult {
  written: number;
  /** Samples not newer than what the database already holds for their series. */
  skipped: number;
}

export class SampleWriter {
  constructor(private readonly db: Database) {}

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
    return this.db.transaction((tx) => this.writeGrouped(tx, bySeries, kinds));
  }

  private async writeGrouped(tx: Executor, bySeries: Map<string, Sample[]>, kinds: Map<string, SeriesKind>): Promise<WriteResult> {
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
      const fresh: { ts: number; value: number; delta: number }[] = [];
      for (const s of list) {
        if (s.ts <= previousTs) {
          skipped++;
          continue;
        }
        fresh.push({ ts: s.ts, value: s.value, delta: counterDelta(row.kind, previousValue, s.value) });
        sampleRows.push([row.id, s.ts, s.value]);
        previousTs = s.ts;
        previousValue = s.value;
      }
      if (fresh.length === 0) continue;
      rollups.push(...rollupsOf(row.id, fresh));
      await advanceSeries(tx, row.id, (fresh[0] as { ts: number }).ts, previousTs, previousValue as number);
    }
    for (const chunk of chunks(sampleRows, SAMPLE_ROWS)) {
      await tx.execute(`INSERT INTO stat_samples (series_id, ts, value) VALUES ${placeholders(chunk.length, 3)}`, chunk.flat());
    }
    const upsert = ROLLUP_UPSERT[tx.dialect];
    for (const chunk of chunks(rollups, ROLLUP_ROWS)) {
      await tx.execute(
        upsert(chunk.length),
        flatten(chunk, (r) => [r.resolution, r.seriesId, r.bucketStart, r.n, r.sum, r.min, r.max, r.energy]),
      );
    }
    return { written: sampleRows.length, skipped };
  }
}
