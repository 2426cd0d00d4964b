import { describe, expect, it } from 'vitest';
import { buildChargeSettings } from '../../../src/control/charge-settings.ts';
import type { EntityFields, Json } from '../../../src/live/model.ts';
import { decodeChargePoint, decodeSystem } from '../../../src/live/views.ts';
import { CHARGE_TEMPLATE } from '../openwb/helpers.ts';

const fields = (values: Record<string, Json>, at = 1_700_000_000_000): EntityFields =>
  Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value, receivedAt: at }]));

describe('charge settings view', () => {
  it('reads 2.x settings from the template copy', () => {
    const settings = buildChargeSettings(
      decodeChargePoint('3', fields({ chargeTemplate: CHARGE_TEMPLATE as unknown as Json, chargeMode: 'instant' })),
      decodeSystem('openwb', fields({ generation: '2' })),
    );
    expect(settings).toEqual({
      chargepointId: '3',
      chargeMode: 'instant',
      global: false,
      templateId: '1',
      instantCharging: { current: 16, phases: 3, limit: { type: 'none', soc: 50, energy: 50000 } },
      pvCharging: {
        minCurrent: 0,
        minSoc: 0,
        minSocCurrent: 10,
        phases: 0,
        feedInLimit: false,
        limit: { type: 'none', soc: 50, energy: 50000 },
      },
      updatedAt: '2023-11-14T22:13:20.000Z',
    });
  });

  it('reads 1.9 settings: global mode, per-chargepoint instant charging, no PV', () => {
    const settings = buildChargeSettings(
      decodeChargePoint('1', fields({ instantCurrent: 20, instantLimit: 'energy', instantEnergyLimit: 12000, instantSocLimit: 80 })),
      decodeSystem('openwb', { ...fields({ generation: '1.9' }, 0), ...fields({ chargeMode: 'minPv' }, 1_700_000_001_000) }),
    );
    expect(settings).toEqual({
      chargepointId: '1',
      chargeMode: 'minPv',
      global: true,
      templateId: null,
      instantCharging: { current: 20, phases: null, limit: { type: 'energy', soc: 80, energy: 12000 } },
      pvCharging: null,
      updatedAt: '2023-11-14T22:13:21.000Z',
    });
  });

  it('is empty (null) while openWB has published nothing about it', () => {
    expect(
      buildChargeSettings(decodeChargePoint('3', fields({ power: 0 })), decodeSystem('openwb', fields({ generation: '2' }))),
    ).toMatchObject({
      templateId: null,
      instantCharging: null,
      pvCharging: null,
      updatedAt: null,
    });
  });
});
