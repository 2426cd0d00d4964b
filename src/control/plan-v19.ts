/**
 * openWB 1.9 command plans: plain-text payloads on the topics `runs/mqttsub.py` handles (research doc §4.2),
 * confirmed on the state topics openWB publishes when a value changes. The charge mode is global.
 */
import { InvalidInputError } from '../errors.ts';
import { CP, SYSTEM, SYSTEM_ID } from '../live/fields.ts';
import type { ApiChargeMode, InstantChargingRequest, Plan } from './model.ts';

const GLOBAL_MODES: Partial<Record<ApiChargeMode, number>> = { instant: 0, minPv: 1, pv: 2, stop: 3 };
const LIMITATIONS = { none: 0, energy: 1, soc: 2 } as const;
/** 1.9 has SoC features (limit, manual SoC, SoC request) only on chargepoints 1 and 2. */
const SOC_CHARGEPOINTS = new Set(['1', '2']);
const MAX_ENERGY_KWH = 100;

function lp(chargepointId: string): string {
  if (!/^[1-8]$/.test(chargepointId)) throw new InvalidInputError(`Chargepoint ${chargepointId} is not an openWB 1.9 chargepoint (1…8)`);
  return chargepointId;
}

function socChargepoint(chargepointId: string, what: string): string {
  if (!SOC_CHARGEPOINTS.has(lp(chargepointId))) throw new InvalidInputError(`openWB 1.9 offers ${what} only on chargepoints 1 and 2`);
  return chargepointId;
}

export function chargeModePlan19(mode: ApiChargeMode): Plan {
  const value = GLOBAL_MODES[mode];
  if (value === undefined) throw new InvalidInputError(`openWB 1.9 has no ${mode} charge mode (it has instant, minPv, pv and stop)`);
  return {
    messages: [{ topic: 'openWB/set/ChargeMode', payload: String(value) }],
    expectations: [{ ref: { kind: 'system', id: SYSTEM_ID }, field: SYSTEM.chargeMode, equals: mode }],
  };
}

export function instantPlan19(chargepointId: string, edit: InstantChargingRequest): Plan {
  const n = lp(chargepointId);
  const ref = { kind: 'chargepoint' as const, id: n };
  const plan: Plan = { messages: [], expectations: [] };
  const add = (suffix: string, payload: number, field: string, equals: string | number) => {
    plan.messages.push({ topic: `openWB/config/set/sofort/lp/${n}/${suffix}`, payload: String(payload) });
    plan.expectations.push({ ref, field, equals });
  };
  if (edit.phases !== undefined)
    throw new InvalidInputError('phases: openWB 1.9 has no per-chargepoint phase setting for instant charging');
  if (edit.current !== undefined) add('current', edit.current, CP.instantCurrent, edit.current);
  const limit = edit.limit;
  if (limit) {
    if (limit.type === 'soc' || limit.soc !== undefined) socChargepoint(n, 'a SoC limit');
    if (limit.energy !== undefined) {
      if (limit.energy % 1000 !== 0 || limit.energy > MAX_ENERGY_KWH * 1000) {
        throw new InvalidInputError(
          `limit.energy: openWB 1.9 takes whole kWh up to ${MAX_ENERGY_KWH} kWh (1000 … 100000 Wh in steps of 1000)`,
        );
      }
      add('energyToCharge', limit.energy / 1000, CP.instantEnergyLimit, limit.energy);
    }
    if (limit.soc !== undefined) add('socToChargeTo', limit.soc, CP.instantSocLimit, limit.soc);
    add('chargeLimitation', LIMITATIONS[limit.type], CP.instantLimit, limit.type);
  }
  return plan;
}

export function lockPlan19(chargepointId: string, locked: boolean): Plan {
  const n = lp(chargepointId);
  return {
    messages: [{ topic: `openWB/set/lp/${n}/ChargePointEnabled`, payload: locked ? '0' : '1' }],
    expectations: [{ ref: { kind: 'chargepoint', id: n }, field: CP.locked, equals: locked }],
  };
}

export function manualSocPlan19(chargepointId: string, soc: number): Plan {
  const n = socChargepoint(chargepointId, 'a manual SoC');
  if (!Number.isInteger(soc)) throw new InvalidInputError('soc: openWB 1.9 takes a whole percentage');
  return {
    messages: [{ topic: `openWB/set/lp/${n}/manualSoc`, payload: String(soc) }],
    expectations: [{ ref: { kind: 'chargepoint', id: n }, field: CP.vehicleSoc, equals: soc }],
  };
}

export function socUpdatePlan19(chargepointId: string): Plan {
  const n = socChargepoint(chargepointId, 'SoC requests');
  return {
    messages: [{ topic: `openWB/set/lp/${n}/ForceSoCUpdate`, payload: '1' }],
    expectations: [],
    unconfirmable: 'openWB 1.9 publishes nothing that confirms a SoC request',
  };
}
