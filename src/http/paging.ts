/** The `limit` + `cursor` query parameters of a paged list, checked; and a page's items mapped to their DTOs. */
import { decodeCursor, type Page, type PageRequest } from '../db/keyset-page.ts';
import { InvalidInputError } from '../errors.ts';

/** Without `limit` a page has this many items (the spec's `default` of the lists' `limit`). */
export const DEFAULT_PAGE_LIMIT = 100;

export function pageRequest(list: string, query: { limit?: number; cursor?: string }): PageRequest {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  if (query.cursor === undefined) return { limit };
  const afterId = decodeCursor(list, query.cursor);
  if (afterId === undefined) throw new InvalidInputError('cursor is not a nextCursor of this endpoint');
  return { afterId, limit };
}

export function mapPage<T, U>(page: Page<T>, dto: (item: T) => U): Page<U> {
  return { items: page.items.map(dto), nextCursor: page.nextCursor };
}
