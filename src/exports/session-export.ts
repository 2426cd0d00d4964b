/**
 * Session exports: the sessions `listSessions` shows the same caller, with the same filters, as CSV or XLSX,
 * streamed page by page from the database.
 */
import { Readable } from 'node:stream';
import { ReusedSession, type SessionRepository } from '../sessions/session-repository.ts';
import type { ListQuery, SessionSelection, SessionService, Visible } from '../sessions/session-service.ts';
import { csvLine, UTF8_BOM, type Cell, type CsvDialect } from './csv.ts';
import { LocalTime } from './local-time.ts';
import { headerOf, SESSION_COLUMNS, type ExportContext, type Language, type SessionRow } from './session-columns.ts';
import { sessionValuePages, startedPages, type ValuePage } from './session-pages.ts';
import { writeSessionsXlsx } from './session-xlsx.ts';

/** Pages are joined into writes of about 64 KB: fewer, larger writes cost the HTTP stream less per row. */
const CHUNK_CHARS = 64 * 1024;

export type SessionExportQuery = Omit<ListQuery, 'limit' | 'cursor'> & { lang?: Language };
export type CsvOptions = { delimiter?: ',' | ';'; decimal?: 'point' | 'comma'; bom?: boolean };

export interface Download {
  filename: string;
  body: Readable;
}

export function csvDialect(options: CsvOptions): CsvDialect {
  return { delimiter: options.delimiter ?? ',', decimalComma: options.decimal === 'comma' };
}

/** `<base>_<from>_<to>.<ext>` with the dates of the range in its zone, as far as the range is given. */
export function downloadName(base: string, extension: string, zone: string, from?: number, to?: number): string {
  const local = new LocalTime(zone);
  const parts = [base, from === undefined ? 'start' : local.date(from), to === undefined ? 'now' : local.date(to)];
  return `${parts.join('_')}.${extension}`;
}

/**
 * Each row of the pages as a page of one row, decoded into one reused session: the XLSX writer is done with a
 * row before it asks for the next, and a page of sessions kept alive across a garbage collection would be
 * promoted to the old heap (RSS) for nothing.
 */
async function* reusedRows(pages: AsyncIterable<ValuePage>): AsyncGenerator<SessionRow[]> {
  const reused = new ReusedSession();
  const row: SessionRow = { session: reused.session, userName: null };
  const one = [row];
  for await (const page of pages) {
    for (const values of page.rows) {
      const session = reused.fill(values);
      row.userName = session.userId === null ? null : (page.userNames.get(session.userId) ?? null);
      yield one;
    }
  }
}

export class SessionExports {
  constructor(
    private readonly sessions: SessionService,
    private readonly repository: SessionRepository,
    private readonly pageSize?: number,
  ) {}

  async csv(query: SessionExportQuery & CsvOptions, visible: Visible, owner: string | undefined): Promise<Download> {
    const { selection, context } = this.prepare(query, visible, owner);
    const pages = await startedPages(sessionValuePages(this.repository, selection, this.pageSize));
    const dialect = csvDialect(query);
    const local = new LocalTime(context.zone);
    // One session, one row and one array of cells, refilled for each row: a CSV line is all that is kept of it.
    const reused = new ReusedSession();
    const row: SessionRow = { session: reused.session, userName: null };
    const cells: Cell[] = [];
    const cellsOf = () => {
      for (let i = 0; i < SESSION_COLUMNS.length; i++) {
        const column = SESSION_COLUMNS[i]!;
        const value = column.value(row, context);
        cells[i] =
          typeof value !== 'number'
            ? value
            : column.kind === 'time'
              ? local.text(value)
              : column.kind === 'offset'
                ? local.offsetCell(value)
                : value;
      }
      return cells;
    };
    const header = csvLine(
      SESSION_COLUMNS.map((c) => headerOf(c, context, 'csv')),
      dialect,
    );
    async function* chunks() {
      let text = (query.bom ? UTF8_BOM : '') + header;
      for await (const page of pages) {
        for (const values of page.rows) {
          const session = reused.fill(values);
          row.userName = session.userId === null ? null : (page.userNames.get(session.userId) ?? null);
          text += csvLine(cellsOf(), dialect);
        }
        if (text.length >= CHUNK_CHARS) {
          yield Buffer.from(text);
          text = '';
        }
      }
      yield Buffer.from(text);
    }
    return { filename: this.filename(selection, 'csv'), body: Readable.from(chunks(), { objectMode: false }) };
  }

  async xlsx(query: SessionExportQuery, visible: Visible, owner: string | undefined): Promise<Download> {
    const { selection, context } = this.prepare(query, visible, owner);
    const pages = await startedPages(sessionValuePages(this.repository, selection, this.pageSize));
    return { filename: this.filename(selection, 'xlsx'), body: writeSessionsXlsx(reusedRows(pages), context) };
  }

  private prepare(query: SessionExportQuery, visible: Visible, owner: string | undefined) {
    const selection = this.sessions.selection(query, visible, owner, 'start');
    const context: ExportContext = { zone: selection.zone, currency: selection.currency, lang: query.lang ?? 'en' };
    return { selection, context };
  }

  private filename(selection: SessionSelection, extension: string): string {
    return downloadName('charging-sessions', extension, selection.zone, selection.filter.from, selection.filter.to);
  }
}
