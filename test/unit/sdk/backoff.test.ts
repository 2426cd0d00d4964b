import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../sdk/src/backoff.ts';

describe('backoffDelay', () => {
  it('doubles from initialMs up to maxMs, half fixed and half random', () => {
    const options = { initialMs: 100, maxMs: 1_000 };
    expect([0, 1, 2, 3, 4, 10].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4, 10].map((attempt) => backoffDelay(attempt, options, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('defaults to 500 ms, at most 30 s, and stays finite for any attempt', () => {
    expect(backoffDelay(0, {}, () => 1)).toBe(500);
    expect(backoffDelay(1_000, {}, () => 1)).toBe(30_000);
  });
});
