import { describe, expect, it } from 'vitest';
import { Retirement } from '../../../src/ingest/retirement.ts';
import type { FieldUpdate } from '../../../src/live/model.ts';

const cp = (id: string, field: string, receivedAt: number, ...value: [FieldUpdate['value']?]): FieldUpdate => ({
  kind: 'chargepoint',
  id,
  field,
  value: value.length === 0 ? 1 : value[0],
  receivedAt,
});

describe('retirement of components openWB no longer publishes', () => {
  it('retires a component once openWB kept publishing for the retire time without it, with all its fields', () => {
    const retirement = new Retirement(1_000);
    retirement.heard(0);
    retirement.seen([cp('999999', 'power', 0), cp('999999', 'statusText', 0, 'x'), cp('3', 'power', 0)]);
    for (let at = 100; at < 1_000; at += 100) {
      retirement.heard(at);
      retirement.seen([cp('3', 'power', at)]);
      expect(retirement.due()).toEqual([]);
    }
    retirement.heard(1_000);
    retirement.seen([cp('3', 'power', 1_000)]);
    expect(retirement.due()).toEqual([{ kind: 'chargepoint', id: '999999', fields: ['power', 'statusText'] }]);
    expect(retirement.due()).toEqual([]);
  });

  it('retires nothing while openWB (or the broker) is silent, however long', () => {
    const retirement = new Retirement(1_000);
    retirement.heard(0);
    retirement.seen([cp('3', 'power', 0)]);
    expect(retirement.due()).toEqual([]);
    // No message for an hour: the wall clock does not matter, only openWB's activity.
    retirement.heard(500);
    expect(retirement.due()).toEqual([]);
    retirement.heard(3_600_000);
    expect(retirement.due()).toEqual([{ kind: 'chargepoint', id: '3', fields: ['power'] }]);
  });

  it('forgets a component that openWB removed topic by topic', () => {
    const retirement = new Retirement(1_000);
    retirement.seen([cp('5', 'power', 0), cp('5', 'plugged', 0, true)]);
    retirement.seen([cp('5', 'power', 10, undefined), cp('5', 'plugged', 10, undefined)]);
    retirement.heard(10_000);
    expect(retirement.due()).toEqual([]);
  });

  it('keeps a component alive with each new value', () => {
    const retirement = new Retirement(1_000);
    retirement.seen([cp('3', 'power', 0)]);
    retirement.seen([cp('3', 'plugged', 900, true)]);
    retirement.heard(1_500);
    expect(retirement.due()).toEqual([]);
    retirement.heard(1_900);
    expect(retirement.due()).toEqual([{ kind: 'chargepoint', id: '3', fields: ['power', 'plugged'] }]);
  });

  it('gives a component found in the live store one retire time to show up, and adopts nothing already heard', () => {
    const retirement = new Retirement(1_000);
    retirement.seen([cp('3', 'power', 5_000)]);
    retirement.adopt('chargepoint', '3', ['power', 'name'], 5_000);
    retirement.adopt('chargepoint', '999999', ['power', 'statusText'], 5_000);
    retirement.heard(5_900);
    retirement.seen([cp('3', 'power', 5_900)]);
    expect(retirement.due()).toEqual([]);
    retirement.heard(6_000);
    expect(retirement.due()).toEqual([{ kind: 'chargepoint', id: '999999', fields: ['power', 'statusText'] }]);
    retirement.heard(6_900);
    expect(retirement.due()).toEqual([{ kind: 'chargepoint', id: '3', fields: ['power'] }]);
  });
});
