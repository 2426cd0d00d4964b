import { describe, expect, it } from 'vitest';
import { LiveState, type StreamMessage } from '../../../dashboard/src/live-state.ts';

const at = '2026-05-20T12:00:00.000Z';
const snapshot = {
  type: 'snapshot',
  seq: 1,
  chargepoints: [{ id: '3', name: 'Garage', power: 11040, updatedAt: at, stale: false }],
  site: { grid: { power: 1520, energyImported: null, energyExported: null, updatedAt: at, stale: false } },
  vehicles: [],
  system: { broker: { connected: true } },
} as unknown as StreamMessage;

describe('the dashboard’s live state (pure logic of dashboard/src/live-state.ts)', () => {
  it('loads a snapshot with each field stamped with its object’s time, and tells views to rebuild', () => {
    const live = new LiveState();
    let rebuilt = 0;
    live.onStructure(() => rebuilt++);
    live.apply(snapshot);
    expect(live.chargepointIds).toEqual(['3']);
    expect(live.get('chargepoint', '3')!.fields.get('power')).toEqual({ value: 11040, at: Date.parse(at) });
    expect(live.get('site', 'grid')!.fields.get('power')!.value).toBe(1520);
    expect(rebuilt).toBe(1);
  });

  it('patches changed fields with their own times, marks stale, and drops removed objects', () => {
    const live = new LiveState();
    live.apply(snapshot);
    const changes: string[][] = [];
    live.onChange((object, names) => changes.push([object.id, ...(names === 'all' ? ['all'] : names)]));
    const later = '2026-05-20T12:00:05.000Z';
    live.apply({
      type: 'changed',
      seq: 2,
      kind: 'site',
      id: 'grid',
      fields: { power: { value: -300, updatedAt: later } },
      updatedAt: later,
      stale: false,
    });
    expect(live.get('site', 'grid')!.fields.get('power')).toEqual({ value: -300, at: Date.parse(later) });
    live.apply({ type: 'stale', seq: 3, kind: 'site', id: 'grid', updatedAt: later });
    expect(live.get('site', 'grid')!.stale).toBe(true);
    expect(changes).toEqual([
      ['grid', 'power'],
      ['grid', 'all'],
    ]);
    live.apply({ type: 'removed', seq: 4, kind: 'chargepoint', id: '3' });
    expect(live.chargepointIds).toEqual([]);
    expect(live.get('chargepoint', '3')).toBeUndefined();
  });

  it('keeps the latest event of recent commands (an outcome may beat the answer to its request), at most 100', () => {
    const live = new LiveState();
    const command = (id: string, status: string) =>
      ({
        type: 'command',
        seq: 1,
        command: { id, status, action: 'lock', target: { type: 'chargepoint', id: '3' } },
      }) as unknown as StreamMessage;
    live.apply(command('a', 'pending'));
    live.apply(command('a', 'applied'));
    expect(live.commands.get('a')!.status).toBe('applied');
    for (let i = 0; i < 120; i++) live.apply(command(`c${i}`, 'pending'));
    expect(live.commands.size).toBe(100);
    expect(live.commands.has('a')).toBe(false);
  });

  it('follows the broker connection', () => {
    const live = new LiveState();
    const seen: boolean[] = [];
    live.onBroker((connected) => seen.push(connected));
    live.apply({ type: 'connection', seq: 1, connected: false, at });
    expect(live.brokerConnected).toBe(false);
    expect(seen).toEqual([false]);
  });
});
