/** The sessions table: its columns (widths, alignment, how each cell reads) and the drawing of its rows. */
import type { ReportData, ReportRow, RowMark } from '../report-data.ts';
import type { ReportText } from '../report-text.ts';
import { COLOR, CONTENT_WIDTH, PAGE, type Align, type Canvas } from './canvas.ts';

interface Column {
  key: 'index' | 'date' | 'start' | 'end' | 'duration' | 'chargepoint' | 'energy' | 'meterStart' | 'meterEnd' | 'price' | 'cost' | 'notes';
  weight: number;
  align: Align;
  cell: (row: ReportRow, index: number) => string;
}

export interface PlacedColumn extends Column {
  x: number;
  width: number;
}

export const ROW_HEIGHT = 13;
export const HEADER_HEIGHT = 24;
const PAD = 3;
const DASH = '–';

/** Footnote letters in a fixed order, for the marks that occur. */
export function markLetters(data: ReportData, order: readonly RowMark[]): Map<RowMark, string> {
  const used = new Set(data.rows.flatMap((row) => row.marks));
  return new Map(order.filter((mark) => used.has(mark)).map((mark, i) => [mark, String.fromCharCode(97 + i)]));
}

export function columnsOf(data: ReportData, text: ReportText, letters: ReadonlyMap<RowMark, string>): PlacedColumn[] {
  const columns: Column[] = [
    { key: 'index', weight: 22, align: 'right', cell: (_row, i) => String(i + 1) },
    { key: 'date', weight: 46, align: 'left', cell: (row) => text.date(row.start) },
    // A time of the hour repeated when summer time ends carries the zone's name (02:30 MESZ): room for it only then.
    {
      key: 'start',
      weight: data.rows.some((row) => text.repeated(row.start)) ? 48 : 28,
      align: 'left',
      cell: (row) => text.time(row.start),
    },
    {
      key: 'end',
      weight: data.rows.some((row) => row.end !== null && text.repeated(row.end)) ? 54 : 38,
      align: 'left',
      cell: (row) => {
        if (row.end === null) return text.words.running;
        const days = text.daysBetween(row.start, row.end);
        return days > 0 ? `${text.time(row.end)} +${days}` : text.time(row.end);
      },
    },
    { key: 'duration', weight: 32, align: 'right', cell: (row) => (row.durationMs === null ? DASH : text.duration(row.durationMs)) },
    { key: 'chargepoint', weight: 20, align: 'center', cell: (row) => row.chargepointId },
    { key: 'energy', weight: 44, align: 'right', cell: (row) => text.kwh(row.energyWh) },
    { key: 'meterStart', weight: 58, align: 'right', cell: (row) => (row.meterStartWh === null ? DASH : text.kwh(row.meterStartWh)) },
    { key: 'meterEnd', weight: 58, align: 'right', cell: (row) => (row.meterEndWh === null ? DASH : text.kwh(row.meterEndWh)) },
    { key: 'price', weight: 40, align: 'right', cell: (row) => (row.priceE4 === null ? DASH : text.number(row.priceE4, 4)) },
    { key: 'cost', weight: 40, align: 'right', cell: (row) => (row.costCents === null ? DASH : text.cents(row.costCents)) },
    { key: 'notes', weight: 24, align: 'center', cell: (row) => row.marks.map((mark) => letters.get(mark) ?? '').join(',') },
  ];
  const shown = columns.filter((column) => column.key !== 'chargepoint' || data.chargepoints.length > 1);
  const scale = CONTENT_WIDTH / shown.reduce((sum, column) => sum + column.weight, 0);
  let x: number = PAGE.left;
  return shown.map((column) => {
    const placed = { ...column, x, width: column.weight * scale };
    x += placed.width;
    return placed;
  });
}

export function drawHeader(canvas: Canvas, columns: readonly PlacedColumn[], text: ReportText, y: number): number {
  canvas.box(PAGE.left, y, CONTENT_WIDTH, HEADER_HEIGHT, COLOR.head);
  canvas.font(true, 7, COLOR.ink);
  for (const column of columns) {
    const lines = text.column(column.key).split('\n');
    const top = y + (lines.length === 1 ? 8.5 : 4);
    lines.forEach((line, i) => canvas.cell(line, column.x + PAD, top + i * 8.5, column.width - 2 * PAD, column.align));
  }
  canvas.rule(PAGE.left, PAGE.right, y + HEADER_HEIGHT, COLOR.accent, 0.8);
  return y + HEADER_HEIGHT;
}

export function drawRow(canvas: Canvas, columns: readonly PlacedColumn[], row: ReportRow, index: number, y: number): number {
  if (index % 2 === 1) canvas.box(PAGE.left, y, CONTENT_WIDTH, ROW_HEIGHT, COLOR.zebra);
  canvas.font(false, 7.5, COLOR.ink);
  for (const column of columns) canvas.cell(column.cell(row, index), column.x + PAD, y + 3.5, column.width - 2 * PAD, column.align);
  return y + ROW_HEIGHT;
}

export function drawTotals(canvas: Canvas, columns: readonly PlacedColumn[], data: ReportData, text: ReportText, y: number): number {
  canvas.rule(PAGE.left, PAGE.right, y, COLOR.ink, 0.8);
  canvas.font(true, 7.5, COLOR.ink);
  const totals: Partial<Record<PlacedColumn['key'], string>> = {
    duration: text.duration(data.totals.durationMs),
    energy: text.kwh(data.totals.energyWh),
    cost: text.cents(data.totals.costCents),
  };
  const first = columns[0] as PlacedColumn;
  const date = columns.find((column) => column.key === 'date') as PlacedColumn;
  canvas.cell(`${text.words.total} (${data.totals.sessions})`, first.x + PAD, y + 4, date.x + date.width - first.x, 'left');
  for (const column of columns) {
    const value = totals[column.key];
    if (value !== undefined) canvas.cell(value, column.x + PAD, y + 4, column.width - 2 * PAD, column.align);
  }
  canvas.rule(PAGE.left, PAGE.right, y + ROW_HEIGHT + 2, COLOR.ink, 0.8);
  canvas.rule(PAGE.left, PAGE.right, y + ROW_HEIGHT + 3.6, COLOR.ink, 0.8);
  return y + ROW_HEIGHT + 4;
}
