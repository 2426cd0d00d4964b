/**
 * Sessions as an XLSX worksheet through exceljs' streaming writer: each row is committed (written to the zip
 * and dropped) as it comes, and the writer waits while the download is slower than the database.
 *
 * exceljs' worksheet stream ignores backpressure: it writes every 64 KB of XML into the zip's compressor
 * whether or not the compressor keeps up, so a download slower than the database piled the whole sheet up
 * in the compressor's buffer (+80 to +140 MiB for 100,000 rows). After each page the writer therefore
 * waits until the stream the sheet writes into has drained, as well as the download itself.
 */
import { EventEmitter, once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { LocalTime } from './local-time.ts';
import { headerOf, SESSION_COLUMNS, type Column, type ExportContext, type SessionRow } from './session-columns.ts';

const DAY_S = 86_400;
const CURRENCY_SYMBOLS: Record<string, string> = { EUR: '€', CHF: 'CHF', GBP: '£', USD: '$' };
const TOTAL_LABEL = { en: (n: number) => `Total (${n} sessions)`, de: (n: number) => `Summe (${n} Ladevorgänge)` } as const;

function numberFormat(column: Column, context: ExportContext): string | undefined {
  switch (column.kind) {
    case 'time':
      return 'yyyy-mm-dd hh:mm:ss';
    case 'duration':
      return '[h]:mm:ss';
    case 'kwh':
      return '0.000';
    case 'money':
      return `#,##0.00 "${CURRENCY_SYMBOLS[context.currency] ?? context.currency}"`;
    default:
      return undefined;
  }
}

const WIDTHS: Record<Column['kind'], number> = { text: 16, number: 12, kwh: 14, money: 12, time: 20, offset: 10, duration: 12 };

/** A cell value as a spreadsheet keeps it: times as dates of the local wall clock, durations as fractions of a day. */
function cellValue(column: Column, row: SessionRow, context: ExportContext, local: LocalTime): ExcelJS.CellValue {
  const value = column.value(row, context);
  if (value === null) return null;
  // Spreadsheet dates carry no zone: the local wall clock, with the offset column beside for the repeated hour.
  if (column.kind === 'time') return new Date(local.shifted(Number(value)));
  if (column.kind === 'offset') return local.offsetCell(Number(value));
  if (column.kind === 'duration') return Number(value) / DAY_S;
  return value;
}

const columnLetter = (index: number): string => {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
};

/**
 * The stream exceljs' worksheet stream writes into (the zip's compressor, a PassThrough of the readable-stream
 * package), once the zip has taken the sheet. Neither is typed for this, so it is looked up defensively.
 */
function sheetSink(sheet: ExcelJS.Worksheet): EventEmitter | undefined {
  const stream: unknown = Reflect.get(sheet, 'stream');
  const pipes: unknown = typeof stream === 'object' && stream !== null ? Reflect.get(stream, 'pipes') : undefined;
  const sink: unknown = Array.isArray(pipes) ? pipes[0] : undefined;
  return sink instanceof EventEmitter ? sink : undefined;
}

/**
 * Whether a writable stream holds more than it wants: Node's `writableNeedDrain`, or for readable-stream 2
 * (which archiver uses and which predates that getter) the same flag in its writable state.
 */
function needsDrain(stream: EventEmitter): boolean {
  const flag: unknown = Reflect.get(stream, 'writableNeedDrain');
  if (typeof flag === 'boolean') return flag;
  const state: unknown = Reflect.get(stream, '_writableState');
  return typeof state === 'object' && state !== null && Reflect.get(state, 'needDrain') === true;
}

/** Waits until `stream` wants more; gives up when the download is gone (nothing would ever drain it then). */
async function drained(stream: EventEmitter | undefined, out: PassThrough): Promise<void> {
  if (!stream || !needsDrain(stream) || out.destroyed) return;
  const gone = new AbortController();
  const onClose = () => gone.abort();
  out.once('close', onClose);
  try {
    await once(stream, 'drain', { signal: gone.signal });
  } catch (error) {
    if (!gone.signal.aborted) throw error;
  } finally {
    out.off('close', onClose);
  }
}

export function writeSessionsXlsx(pages: AsyncIterable<SessionRow[]>, context: ExportContext): Readable {
  const out = new PassThrough();
  void write(pages, context, out).catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

async function write(pages: AsyncIterable<SessionRow[]>, context: ExportContext, out: PassThrough): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(context.lang === 'de' ? 'Ladevorgänge' : 'Charging sessions', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = SESSION_COLUMNS.map((column) => ({
    header: headerOf(column, context, 'xlsx'),
    width: WIDTHS[column.kind],
    style: { numFmt: numberFormat(column, context) },
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  const local = new LocalTime(context.zone);
  const totals = SESSION_COLUMNS.map(() => 0);
  let count = 0;
  for await (const page of pages) {
    for (const row of page) {
      const values = SESSION_COLUMNS.map((column, i) => {
        const value = cellValue(column, row, context, local);
        if (column.total && typeof value === 'number') totals[i] = (totals[i] as number) + value;
        return value;
      });
      sheet.addRow(values).commit();
      count++;
    }
    await drained(sheetSink(sheet), out);
    await drained(out, out);
    if (out.destroyed) return;
  }
  const last = count + 1;
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: last, column: SESSION_COLUMNS.length } };
  const totalRow = sheet.addRow(
    SESSION_COLUMNS.map((column, i) => {
      if (i === 0) return TOTAL_LABEL[context.lang](count);
      if (!column.total) return null;
      const letter = columnLetter(i);
      // SUBTOTAL(109, …) sums only the rows the autofilter shows.
      return count === 0 ? 0 : { formula: `SUBTOTAL(109,${letter}2:${letter}${last})`, result: totals[i] };
    }),
  );
  totalRow.font = { bold: true };
  totalRow.commit();
  sheet.commit();
  await workbook.commit();
}
