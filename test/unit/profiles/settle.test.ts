import { describe, expect, it } from 'vitest';
import { LiveModel } from '../../../src/live/live-model.ts';
import { MemoryLiveStore } from '../../../src/live/memory-store.ts';
import type { FieldUpdate, Json } from '../../../src/live/model.ts';
import { settleScan, templateSettled } from '../../../src/profiles/settle.ts';

const at = Date.now();
const cp = (field: string, value: Json): FieldUpdate => ({ kind: 'chargepoint', id: '3', field, value, receivedAt: at });
const vehicle = (id: string, template: string): FieldUpdate => ({
  kind: 'vehicle',
  id,
  field: 'chargeTemplateId',
  value: template,
  receivedAt: at,
});

async function store(...updates: FieldUpdate[]): Promise<{ live: LiveModel; apply: (updates: FieldUpdate[]) => Promise<void> }> {
  const s = new MemoryLiveStore();
  await s.apply(updates);
  return { live: new LiveModel(s), apply: (more) => s.apply(more) };
}

describe('waiting for openWB to settle after a tag', () => {
  it('is settled when the template copy is the connected vehicle’s', async () => {
    const s = await store(cp('vehicleId', '1'), cp('chargeTemplate', { id: 1 }), vehicle('1', '1'));
    expect(await templateSettled(s.live, await s.live.chargepoint('3'))).toBe(true);
  });

  it('is not while openWB has still to copy the vehicle’s template, or another vehicle is connected', async () => {
    const s = await store(cp('vehicleId', '1'), cp('chargeTemplate', { id: 0 }), vehicle('1', '1'));
    expect(await templateSettled(s.live, await s.live.chargepoint('3'))).toBe(false);
    const other = await store(cp('vehicleId', '0'), cp('chargeTemplate', { id: 0 }), vehicle('0', '0'));
    expect(await templateSettled(other.live, await other.live.chargepoint('3'), '2')).toBe(false);
  });

  it('treats what it cannot know as settled', async () => {
    const s = await store(cp('power', 0));
    expect(await templateSettled(s.live, await s.live.chargepoint('3'))).toBe(true);
  });

  it('after a scan, returns once the tag is bound and the template settled', async () => {
    const s = await store(
      cp('scannedTag', 'T1'),
      cp('vehicleId', '0'),
      cp('chargeTemplate', { id: 0 }),
      vehicle('0', '0'),
      vehicle('1', '1'),
    );
    const done = settleScan({ live: s.live, signal: new AbortController().signal, pollMs: 5 }, '3', 'T1');
    let finished = false;
    void done.then(() => (finished = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(finished).toBe(false);
    await s.apply([cp('scannedTag', null), cp('rfidTag', 'T1'), cp('vehicleId', '1')]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(finished).toBe(false); // bound, but the chargepoint still has template 0
    await s.apply([cp('chargeTemplate', { id: 1 })]);
    await done;
  });

  it('after a scan that openWB drops, returns a few seconds later', async () => {
    let clock = 0;
    const s = await store(cp('scannedTag', null));
    const started = Date.now();
    await settleScan({ live: s.live, signal: new AbortController().signal, pollMs: 1, now: () => (clock += 500) }, '3', 'T1');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops when aborted', async () => {
    const s = await store(cp('scannedTag', 'T1'));
    const abort = new AbortController();
    const done = settleScan({ live: s.live, signal: abort.signal, pollMs: 1000 }, '3', 'T1');
    abort.abort();
    await done;
  });
});
