/** Opaque keyset cursors: base64url JSON of the sort, the last item's sort value and its id. */
import { InvalidInputError } from '../errors.ts';

export interface Cursor {
  sort: string;
  value: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.value, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string, sort: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'number' ||
    !Number.isFinite(parsed[1]) ||
    typeof parsed[2] !== 'string' ||
    parsed[2].length > 64
  ) {
    throw new InvalidInputError('cursor: not a cursor this API issued; pass nextCursor of the previous page unchanged');
  }
  if (parsed[0] !== sort)
    throw new InvalidInputError(`cursor: it belongs to sort=${parsed[0]}, not sort=${sort}; use the same sort for every page`);
  return { sort: parsed[0], value: parsed[1], id: parsed[2] };
}
