/**
 * History buckets as CSV: what `getHistory` returns for the same query (at most 10,000 points, so built in
 * one piece), one line per bucket and one column per series and field, with the unit in the header.
 */
import { Readable } from 'node:stream';
import type { Schemas } from '../api/types.ts';
import type { HistoryQuery, HistoryService } from '../history/history-service.ts';
import type { Visible } from '../sessions/session-service.ts';
import { csvLine, UTF8_BOM, type Cell } from './csv.ts';
import type { Language } from './session-columns.ts';
import { csvDialect, type CsvOptions, type Download } from './session-export.ts';

type Field = Exclude<keyof Schemas['HistoryPoint'], 'start' | 'quality'>;

const FIELDS: Record<Field, { en: string; de: string }> = {
  energy: { en: 'energy', de: 'Energie' },
  avgPower: { en: 'mean power', de: 'mittlere Leistung' },
  maxPower: { en: 'peak power', de: 'höchste Leistung' },
  minPower: { en: 'lowest power', de: 'niedrigste Leistung' },
  avgSoc: { en: 'mean SoC', de: 'mittlerer SoC' },
  minSoc: { en: 'lowest SoC', de: 'niedrigster SoC' },
  maxSoc: { en: 'highest SoC', de: 'höchster SoC' },
};
const FIELD_NAMES = Object.keys(FIELDS) as Field[];
const QUALITY = { en: 'quality', de: 'Qualität' } as const;
const START = { en: 'Start', de: 'Beginn' } as const;

interface HistoryColumn {
  header: string;
  value(point: Schemas['HistoryPoint']): Cell;
}

/** `2026-03-01T00:00:00+01:00` → `2026-03-01 00:00:00`: the bucket's local wall-clock time. */
const localText = (timestamp: string) => timestamp.slice(0, 19).replace('T', ' ');
/** `…+01:00` → `UTC+01:00` (`Z` → `UTC+00:00`): tells the buckets of the repeated autumn hour apart (as the session exports). */
const offsetCell = (timestamp: string) => {
  const offset = /([+-]\d\d:\d\d|Z)$/.exec(timestamp)?.[1];
  return offset === undefined ? null : `UTC${offset === 'Z' ? '+00:00' : offset}`;
};
const OFFSET = { en: 'Start UTC offset', de: 'Beginn UTC-Offset' } as const;

export class HistoryExports {
  constructor(private readonly history: HistoryService) {}

  async csv(query: HistoryQuery & CsvOptions & { lang?: Language }, visible: Visible): Promise<Download> {
    const lang = query.lang ?? 'en';
    const result = await this.history.query(query, visible);
    // Per series its columns, in the order of the series: each line reads each series' point of the bucket.
    const groups = result.series.map((series) => {
      const columns: HistoryColumn[] = [];
      for (const field of FIELD_NAMES.filter((f) => series.points.some((point) => f in point))) {
        const unit = field === 'energy' ? 'Wh' : series.unit;
        columns.push({ header: `${series.id} ${FIELDS[field][lang]} (${unit})`, value: (p) => p[field] ?? null });
        if (field === 'energy') columns.push({ header: `${series.id} ${QUALITY[lang]}`, value: (p) => p.quality ?? null });
      }
      return { points: series.points, columns };
    });
    const dialect = csvDialect(query);
    const headers = groups.flatMap((g) => g.columns.map((c) => c.header));
    const lines = [csvLine([`${START[lang]} (${result.timeZone})`, ...headers, OFFSET[lang]], dialect)];
    const starts = result.series[0]?.points.map((p) => p.start) ?? [];
    starts.forEach((start, b) => {
      const cells: Cell[] = [localText(start)];
      for (const group of groups) {
        const point = group.points[b];
        for (const column of group.columns) cells.push(point ? column.value(point) : null);
      }
      cells.push(offsetCell(start));
      lines.push(csvLine(cells, dialect));
    });
    const text = (query.bom ? UTF8_BOM : '') + lines.join('');
    const filename = `history_${result.start.slice(0, 10)}_${result.end.slice(0, 10)}.csv`;
    return { filename, body: Readable.from([Buffer.from(text)], { objectMode: false }) };
  }
}
