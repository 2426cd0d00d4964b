import { describe, expect, it } from 'vitest';
import { ConfirmationWatcher } from '../../../src/control/confirmation.ts';
import { MemoryCommandLock } from '../../../src/control/lock.ts';
import { MemoryPendingTemplates } from '../../../src/control/pending.ts';
import { LiveModel } from '../../../src/live/live-model.ts';
import { MemoryLiveStore } from '../../../src/live/memory-store.ts';
import type { FieldUpdate } from '../../../src/live/model.ts';

function setup() {
  const store = new MemoryLiveStore();
  let listener: ((updates: readonly FieldUpdate[]) => void) | undefined;
  const watcher = new ConfirmationWatcher(new LiveModel(store), (l) => ((listener = l), () => (listener = undefined)));
  const apply = async (updates: FieldUpdate[]) => {
    await store.apply(updates);
    listener?.(updates);
  };
  return { store, watcher, apply, subscribed: () => listener !== undefined };
}

const cp = (field: string, value: FieldUpdate['value'], receivedAt = Date.now()): FieldUpdate => ({
  kind: 'chargepoint',
  id: '3',
  field,
  value,
  receivedAt,
});

describe('confirmation watcher', () => {
  it('resolves once the state shows the value, at a path inside JSON', async () => {
    const { watcher, apply } = setup();
    const watch = watcher.watch(
      [{ ref: { kind: 'chargepoint', id: '3' }, field: 'chargeTemplate', path: ['chargemode', 'selected'], equals: 'stop' }],
      Date.now(),
      1000,
    );
    await apply([cp('chargeTemplate', { id: 1, chargemode: { selected: 'instant_charging' } })]);
    await apply([cp('locked', true)]);
    await apply([cp('chargeTemplate', { id: 1, chargemode: { selected: 'stop' } })]);
    expect(await watch.result).toBe(true);
  });

  it('needs every expectation, across entities', async () => {
    const { watcher, apply } = setup();
    const watch = watcher.watch(
      [
        { ref: { kind: 'chargepoint', id: '3' }, field: 'locked', equals: false },
        { ref: { kind: 'system', id: 'openwb' }, field: 'chargeMode', equals: 'pv' },
      ],
      Date.now(),
      1000,
    );
    await apply([cp('locked', false)]);
    await apply([{ kind: 'system', id: 'openwb', field: 'chargeMode', value: 'pv', receivedAt: Date.now() }]);
    expect(await watch.result).toBe(true);
  });

  it('times out with false, and check() accepts a state that already holds', async () => {
    const { watcher, apply } = setup();
    const timedOut = watcher.watch([{ ref: { kind: 'chargepoint', id: '3' }, field: 'locked', equals: true }], Date.now(), 30);
    expect(await timedOut.result).toBe(false);
    await apply([cp('locked', true)]);
    const already = watcher.watch([{ ref: { kind: 'chargepoint', id: '3' }, field: 'locked', equals: true }], Date.now(), 1000);
    already.check();
    expect(await already.result).toBe(true);
  });

  it('wants a fresh value for requests: an old one does not count', async () => {
    const { watcher, apply } = setup();
    await apply([{ kind: 'vehicle', id: '1', field: 'forceSocUpdate', value: true, receivedAt: Date.now() - 5000 }]);
    const since = Date.now();
    const watch = watcher.watch([{ ref: { kind: 'vehicle', id: '1' }, field: 'forceSocUpdate', equals: true, fresh: true }], since, 300);
    watch.check();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await apply([{ kind: 'vehicle', id: '1', field: 'soc', value: 50, receivedAt: Date.now() }]);
    await apply([{ kind: 'vehicle', id: '1', field: 'forceSocUpdate', value: true, receivedAt: since + 1 }]);
    expect(await watch.result).toBe(true);
  });

  it('cancel and close end watches with false and unsubscribe', async () => {
    const { watcher, subscribed } = setup();
    const a = watcher.watch([{ ref: { kind: 'chargepoint', id: '3' }, field: 'locked', equals: true }], Date.now(), 10_000);
    const b = watcher.watch([{ ref: { kind: 'chargepoint', id: '4' }, field: 'locked', equals: true }], Date.now(), 10_000);
    a.cancel();
    expect(await a.result).toBe(false);
    watcher.close();
    expect(await b.result).toBe(false);
    expect(subscribed()).toBe(false);
  });
});

describe('memory lock and pending templates', () => {
  it('runs work for one target one at a time, others in parallel', async () => {
    const lock = new MemoryCommandLock();
    const order: string[] = [];
    const step = (name: string, ms: number) => async () => {
      order.push(`${name}+`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${name}-`);
    };
    await Promise.all([lock.run('cp:3', step('a', 30)), lock.run('cp:3', step('b', 1)), lock.run('cp:4', step('c', 1))]);
    expect(order.indexOf('b+')).toBeGreaterThan(order.indexOf('a-'));
    expect(order.indexOf('c-')).toBeLessThan(order.indexOf('a-'));
  });

  it('keeps going after a failed holder', async () => {
    const lock = new MemoryCommandLock();
    await expect(lock.run('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lock.run('x', async () => 42)).toBe(42);
  });

  it('forgets a pending template on expiry, or when its command clears it', async () => {
    let now = 1000;
    const pending = new MemoryPendingTemplates(() => now);
    await pending.set('3', { commandId: 'a', template: { id: 1 } }, 100);
    await pending.clear('3', 'other');
    expect(await pending.get('3')).toEqual({ commandId: 'a', template: { id: 1 } });
    now = 1100;
    expect(await pending.get('3')).toBeUndefined();
    await pending.set('3', { commandId: 'b', template: { id: 1 } }, 100);
    await pending.clear('3', 'b');
    expect(await pending.get('3')).toBeUndefined();
  });
});
