import { describe, expect, it } from 'vitest';
import { READ_ONLY_COLUMNS, readOnlyRow } from '../../../src/sessions/session-repository.ts';

describe('readOnlyRow', () => {
  it('names every value of a read-only selection by its column, in the SELECT order', () => {
    expect(readOnlyRow(READ_ONLY_COLUMNS)).toEqual(Object.fromEntries(READ_ONLY_COLUMNS.map((column) => [column, column])));
  });

  it('reads a missing value as null', () => {
    expect(Object.values(readOnlyRow([])).every((value) => value === null)).toBe(true);
  });
});
