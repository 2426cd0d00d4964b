import { describe, expect, it } from 'vitest';
import { OpenWbDecoder } from '../../../src/openwb/decoder.ts';
import { changesOf, decode, reasonOf } from '../openwb/helpers.ts';

const v2 = () => new OpenWbDecoder({ mode: '2' });
const v19 = () => new OpenWbDecoder({ mode: '1.9' });

describe('topics the control API reads (openWB 2.x)', () => {
  it('keeps a vehicle SoC module configuration as it is (secrets included, for write-back)', () => {
    const config = {
      type: 'kia',
      name: 'Kia / Hyundai',
      official: false,
      configuration: { user_id: 'me', password: 'pw', pin: '1234', vin: null },
    };
    expect(changesOf(v2(), 'openWB/vehicle/1/soc_module/config', JSON.stringify(config))).toEqual([
      { kind: 'vehicle', id: '1', field: 'socModule', value: config },
    ]);
    expect(reasonOf(v2(), 'openWB/vehicle/1/soc_module/config', '"kia"')).toMatch(/JSON object/);
  });

  it('reads the pending manual SoC from calculated_soc_state, a missing key as null', () => {
    expect(changesOf(v2(), 'openWB/vehicle/2/soc_module/calculated_soc_state', '{"last_imported":1250000.0,"manual_soc":42}')).toEqual([
      { kind: 'vehicle', id: '2', field: 'manualSoc', value: 42 },
    ]);
    expect(changesOf(v2(), 'openWB/vehicle/2/soc_module/calculated_soc_state', '{"last_imported":null}')).toEqual([
      { kind: 'vehicle', id: '2', field: 'manualSoc', value: null },
    ]);
  });

  it('reads force_soc_update as a boolean', () => {
    expect(changesOf(v2(), 'openWB/vehicle/1/get/force_soc_update', 'true')).toEqual([
      { kind: 'vehicle', id: '1', field: 'forceSocUpdate', value: true },
    ]);
    expect(changesOf(v2(), 'openWB/vehicle/1/get/force_soc_update', '0')).toEqual([
      { kind: 'vehicle', id: '1', field: 'forceSocUpdate', value: false },
    ]);
  });

  it('knows every persistent charge template by id, with its name', () => {
    expect(changesOf(v2(), 'openWB/vehicle/template/charge_template/2', '{"id":2,"name":"ID.3 Min+PV","chargemode":{}}')).toEqual([
      { kind: 'chargeTemplate', id: '2', field: 'name', value: 'ID.3 Min+PV' },
    ]);
    expect(changesOf(v2(), 'openWB/vehicle/template/charge_template/2', '')).toEqual([
      { kind: 'chargeTemplate', id: '2', field: 'name', value: undefined },
    ]);
  });

  it('does not take the template branch for a vehicle', () => {
    expect(decode(v2(), 'openWB/vehicle/template/ev_template/0', '{"id":0}')).toEqual({ kind: 'ignored' });
    // `template` in a vehicle's place is no component id: refused and counted, never a vehicle.
    expect(decode(v2(), 'openWB/vehicle/template/name', '"x"')).toMatchObject({ kind: 'invalid', refusal: 'invalid-id' });
  });

  it('keeps the list of SoC modules openWB offers', () => {
    const list = [{ value: null, text: '- kein SoC Modul -', defaults: { type: null, configuration: {} } }];
    expect(changesOf(v2(), 'openWB/system/configurable/soc_modules', JSON.stringify(list))).toEqual([
      { kind: 'system', id: 'openwb', field: 'socModules', value: list },
    ]);
    expect(reasonOf(v2(), 'openWB/system/configurable/soc_modules', '{}')).toMatch(/JSON array/);
  });

  it('subscribes to the new topics', () => {
    expect(v2().subscriptions).toEqual(
      expect.arrayContaining([
        'openWB/vehicle/+/soc_module/config',
        'openWB/vehicle/+/soc_module/calculated_soc_state',
        'openWB/vehicle/template/charge_template/+',
        'openWB/system/configurable/soc_modules',
      ]),
    );
  });
});

describe('instant-charging settings (openWB 1.9)', () => {
  const cp = (field: string, value: unknown) => [{ kind: 'chargepoint', id: '2', field, value }];

  it.each([
    ['current', '16', 'instantCurrent', 16],
    ['chargeLimitation', '0', 'instantLimit', 'none'],
    ['chargeLimitation', '1', 'instantLimit', 'energy'],
    ['chargeLimitation', '2', 'instantLimit', 'soc'],
    ['energyToCharge', '12', 'instantEnergyLimit', 12000],
    ['energyToCharge', '7.5', 'instantEnergyLimit', 7500],
    ['socToChargeTo', '80', 'instantSocLimit', 80],
  ])('config/get/sofort/lp/2/%s %s → %s', (suffix, payload, field, value) => {
    expect(changesOf(v19(), `openWB/config/get/sofort/lp/2/${suffix}`, payload)).toEqual(cp(field, value));
  });

  it('rejects a charge limitation outside 0..2 and refuses lp 9 (1.9 has chargepoints 1..8)', () => {
    expect(reasonOf(v19(), 'openWB/config/get/sofort/lp/1/chargeLimitation', '3')).toMatch(/charge limitation/);
    expect(decode(v19(), 'openWB/config/get/sofort/lp/9/current', '16')).toMatchObject({ kind: 'invalid', refusal: 'invalid-id' });
  });

  it('detects 1.9 from these topics in auto mode', () => {
    const decoder = new OpenWbDecoder({ mode: 'auto' });
    expect(decoder.subscriptions).toContain('openWB/config/get/sofort/lp/+/+');
    changesOf(decoder, 'openWB/config/get/sofort/lp/1/current', '10');
    expect(decoder.generation).toBe('1.9');
  });
});
