import { describe, expect, it } from 'vitest';
import { MemoryLiveStore } from '../../../src/live/memory-store.ts';
import type { FieldUpdate } from '../../../src/live/model.ts';

const update = (value: number, receivedAt: number): FieldUpdate => ({ kind: 'chargepoint', id: '3', field: 'power', value, receivedAt });

describe('MemoryLiveStore.merge', () => {
  it('returns only what was newer than the copy held: an echo of its own write and an older copy are no change', () => {
    const store = new MemoryLiveStore();
    expect(store.merge([update(1, 100)])).toEqual([update(1, 100)]);
    expect(store.merge([update(1, 100)])).toEqual([]);
    expect(store.merge([update(0, 50)])).toEqual([]);
    expect(store.merge([update(2, 200), update(0, 60)])).toEqual([update(2, 200)]);
    expect(store.get([{ kind: 'chargepoint', id: '3' }])[0]?.power).toEqual({ value: 2, receivedAt: 200 });
  });
});
