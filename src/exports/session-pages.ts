/**
 * The sessions of a selection page by page, keyset-paged in the selection's order: memory stays at one page
 * however many sessions there are, and each page is one indexed query.
 */
import type { Session } from '../sessions/model.ts';
import type { SessionRepository } from '../sessions/session-repository.ts';
import type { SessionSelection } from '../sessions/session-service.ts';
import { rowOf, type SessionRow } from './session-columns.ts';

/** Small pages keep what survives between two reads (and is promoted to the old heap) small: 100 rows grew a fresh heap by half as much as 250. */
export const EXPORT_PAGE_SIZE = 100;

export async function* sessionPages(
  repository: SessionRepository,
  selection: SessionSelection,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<SessionRow[]> {
  const names = new Map<string, string>();
  const read = async (after?: { value: number; id: string }): Promise<Session[]> => {
    const page = await repository.listForExport(selection.filter, {
      sort: selection.sort,
      descending: selection.descending,
      limit: pageSize,
      after,
    });
    const unknown = [...new Set(page.flatMap((s) => (s.userId === null || names.has(s.userId) ? [] : [s.userId])))];
    if (unknown.length) for (const [id, name] of await repository.userNames(unknown)) names.set(id, name);
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
      next = read({ value: selection.sort === 'start' ? last.start : last.energy, id: last.id });
      next.catch(() => undefined);
    }
    if (page.length) yield page.map((s) => rowOf(s, names));
    if (!more) return;
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
