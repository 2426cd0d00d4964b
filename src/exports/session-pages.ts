/**
 * The sessions of a selection page by page, keyset-paged in the selection's order: memory stays at one page
 * however many sessions there are, and each page is one indexed query.
 */
import { fromRow, READ_ONLY_COLUMNS, readOnlyRow, type ReadOnlyValues, type SessionRepository } from '../sessions/session-repository.ts';
import type { SessionSelection } from '../sessions/session-service.ts';
import { rowOf, type SessionRow } from './session-columns.ts';

/**
 * Rows per keyset page. Each page is a query: on MariaDB a round trip that the server plans and answers on
 * its own, so larger pages read faster (100,000 rows: pages of 250 or 500 about 1.3 to 1.5 times as fast as
 * pages of 100, on a busy machine). A page is also what survives between two reads and may be promoted to the
 * old heap: pages of 500 grew the gateway's RSS by up to 29 MiB during a SQLite export (budget 30 MB),
 * pages of 100 by ~1 MiB; 250 sits between. Rows stay the driver's arrays (see ReusedSession).
 */
export const EXPORT_PAGE_SIZE = 250;

/** A page of rows as the database returns them, and the names of the users they belong to (so far). */
export interface ValuePage {
  rows: ReadOnlyValues[];
  userNames: ReadonlyMap<string, string>;
}

const START = READ_ONLY_COLUMNS.indexOf('start_ms');
const ENERGY = READ_ONLY_COLUMNS.indexOf('energy_wh');
const USER = READ_ONLY_COLUMNS.indexOf('user_id');
const ID = READ_ONLY_COLUMNS.indexOf('id');

/** The selection's rows page by page as the database returns them (the CSV decodes each into one reused session). */
export async function* sessionValuePages(
  repository: SessionRepository,
  selection: SessionSelection,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<ValuePage> {
  const names = new Map<string, string>();
  const sortIndex = selection.sort === 'start' ? START : ENERGY;
  const read = async (after?: { value: number; id: string }): Promise<ReadOnlyValues[]> => {
    const page = await repository.listValuesForExport(selection.filter, {
      sort: selection.sort,
      descending: selection.descending,
      limit: pageSize,
      after,
    });
    const unknown = new Set<string>();
    for (const row of page) {
      const user = row[USER];
      if (user !== null && user !== undefined && !names.has(String(user))) unknown.add(String(user));
    }
    if (unknown.size) for (const [id, name] of await repository.userNames([...unknown])) names.set(id, name);
    return page;
  };
  let next = read();
  for (;;) {
    const page = await next;
    const last = page.at(-1);
    const more = last !== undefined && page.length === pageSize;
    if (more) {
      // The next page is read while this one is written (a database server answers meanwhile); a reader
      // that stops early leaves it unawaited, so its failure must not become an unhandled rejection.
      next = read({ value: Number(last[sortIndex]), id: String(last[ID]) });
      next.catch(() => undefined);
    }
    if (page.length) yield { rows: page, userNames: names };
    if (!more) return;
  }
}

/** The selection's sessions page by page, each a session of its own (XLSX, tests). */
export async function* sessionPages(
  repository: SessionRepository,
  selection: SessionSelection,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<SessionRow[]> {
  for await (const page of sessionValuePages(repository, selection, pageSize)) {
    yield page.rows.map((values) => rowOf(fromRow(readOnlyRow(values)), page.userNames));
  }
}

/**
 * Reads the first page now, so that a database that cannot answer fails the request (503) before any byte
 * of the download is sent; the rest is read as the download is written.
 */
export async function startedPages<T>(pages: AsyncGenerator<T>): Promise<AsyncGenerator<T>> {
  const first = await pages.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* pages;
  })();
}
