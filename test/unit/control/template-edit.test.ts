import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/errors.ts';
import { editTemplate, valueAt, type JsonObject } from '../../../src/control/template-edit.ts';
import { CHARGE_TEMPLATE } from '../openwb/helpers.ts';

const base = (): JsonObject => structuredClone(CHARGE_TEMPLATE) as unknown as JsonObject;

describe('charge template read-modify-write', () => {
  it('changes only the selected mode and keeps id and every other key', () => {
    const { template, changes } = editTemplate(base(), { chargeMode: 'eco' });
    const expected = base();
    (expected.chargemode as JsonObject).selected = 'eco_charging';
    expect(template).toEqual(expected);
    expect(template.id).toBe(1);
    expect(changes).toEqual([{ path: ['chargemode', 'selected'], value: 'eco_charging' }]);
  });

  it('does not modify the template it was given', () => {
    const original = base();
    editTemplate(original, { chargeMode: 'stop', instantCharging: { current: 20 } });
    expect(original).toEqual(base());
  });

  it('makes pv PV-only (min_current 0) and remembers the previous Min+PV current', () => {
    const start = editTemplate(base(), { chargeMode: 'minPv', minPvCurrent: 10 }).template;
    const pv = editTemplate(start, { chargeMode: 'pv' });
    expect(valueAt(pv.template, ['chargemode', 'pv_charging', 'min_current'])).toBe(0);
    expect(valueAt(pv.template, ['chargemode', 'selected'])).toBe('pv_charging');
    expect(pv.minPvCurrent).toBe(10);
  });

  it('chooses the Min+PV current: explicit, then the template, then the remembered one, then 6 A', () => {
    const min = (t: JsonObject) => valueAt(t, ['chargemode', 'pv_charging', 'min_current']);
    expect(min(editTemplate(base(), { chargeMode: 'minPv', minPvCurrent: 12 }, 8).template)).toBe(12);
    const withMin = editTemplate(base(), { pvCharging: { minCurrent: 9 } }).template;
    expect(min(editTemplate(withMin, { chargeMode: 'minPv' }, 8).template)).toBe(9);
    expect(min(editTemplate(base(), { chargeMode: 'minPv' }, 8).template)).toBe(8);
    expect(min(editTemplate(base(), { chargeMode: 'minPv' }).template)).toBe(6);
  });

  it('maps the limit types to openWB: energy is "amount" in Wh', () => {
    const { template, changes } = editTemplate(base(), {
      instantCharging: { current: 20, phases: 1, limit: { type: 'energy', energy: 12_000 } },
    });
    expect(valueAt(template, ['chargemode', 'instant_charging'])).toEqual({
      current: 20,
      dc_current: 145,
      phases_to_use: 1,
      limit: { selected: 'amount', amount: 12_000, soc: 50 },
    });
    expect(changes.map((c) => c.path.join('.'))).toEqual([
      'chargemode.instant_charging.current',
      'chargemode.instant_charging.phases_to_use',
      'chargemode.instant_charging.limit.selected',
      'chargemode.instant_charging.limit.amount',
    ]);
  });

  it('edits the PV block, with a SoC limit', () => {
    const { template } = editTemplate(base(), {
      pvCharging: { minSoc: 30, minSocCurrent: 16, phases: 1, feedInLimit: true, limit: { type: 'soc', soc: 80 } },
    });
    expect(valueAt(template, ['chargemode', 'pv_charging'])).toMatchObject({
      min_current: 0,
      min_soc: 30,
      min_soc_current: 16,
      phases_to_use: 1,
      feed_in_limit: true,
      limit: { selected: 'soc', soc: 80, amount: 50000 },
    });
  });

  it('confirms a leaf set twice by its last value only', () => {
    const { changes } = editTemplate(base(), { chargeMode: 'minPv', pvCharging: { minCurrent: 7 } });
    expect(changes.filter((c) => c.path.at(-1) === 'min_current')).toEqual([
      { path: ['chargemode', 'pv_charging', 'min_current'], value: 7 },
    ]);
  });

  it.each([
    [{ chargeMode: 'pv', pvCharging: { minCurrent: 8 } }, /PV only/],
    [{ chargeMode: 'minPv', pvCharging: { minCurrent: 0 } }, /above 0/],
    [{ pvCharging: { minCurrent: 3 } }, /below openWB's minimum/],
    [{ chargeMode: 'instant', minPvCurrent: 8 }, /only with mode minPv/],
    [{ instantCharging: { limit: { type: 'soc', energy: 1000 } } }, /energy does not belong/],
  ] as const)('refuses contradictory settings %j', (edit, message) => {
    expect(() => editTemplate(base(), edit as never)).toThrow(message);
  });

  it('refuses a template without id (openWB < 2.1.8) with 409', () => {
    const template = base();
    delete template.id;
    expect(() => editTemplate(template, { chargeMode: 'stop' })).toThrow(ConflictError);
  });
});
