/** The chargepoint's charge settings as the API shows them, assembled from live fields (pure). */
import type { Schemas } from '../api/types.ts';
import { CHARGE_MODES, CP, SYSTEM, type ChargeMode } from '../live/fields.ts';
import type { EntityFields, Json } from '../live/model.ts';
import type { Generation } from '../openwb/generation.ts';
import { valueAt } from './template-edit.ts';

export type ChargeSettingsDto = Schemas['ChargeSettings'];
type LimitState = Schemas['ChargeLimitState'];

const num = (value: Json | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const int = (value: Json | undefined): number | null => {
  const n = num(value);
  return n !== null && Number.isInteger(n) && n >= 0 && n <= 3 ? n : null;
};

function templateLimit(template: Json | undefined, mode: string): LimitState {
  const limit = valueAt(template, ['chargemode', mode, 'limit']);
  if (limit === undefined || limit === null) return null;
  const selected = valueAt(limit, ['selected']);
  const type = selected === 'soc' ? 'soc' : selected === 'amount' ? 'energy' : 'none';
  return { type, soc: num(valueAt(limit, ['soc'])), energy: num(valueAt(limit, ['amount'])) };
}

function chargeModeOf(fields: EntityFields, system: EntityFields, generation: Generation | undefined): ChargeMode | null {
  const value =
    generation === '1.9' ? system[SYSTEM.chargeMode]?.value : (fields[CP.chargeMode]?.value ?? system[SYSTEM.chargeMode]?.value);
  return typeof value === 'string' && (CHARGE_MODES as readonly string[]).includes(value) ? (value as ChargeMode) : null;
}

function newest(fields: EntityFields, names: readonly string[]): string | null {
  let at: number | undefined;
  for (const name of names) {
    const received = fields[name]?.receivedAt;
    if (received !== undefined && (at === undefined || received > at)) at = received;
  }
  return at === undefined ? null : new Date(at).toISOString();
}

const V19_INSTANT = [CP.instantCurrent, CP.instantLimit, CP.instantEnergyLimit, CP.instantSocLimit] as const;

export function buildChargeSettings(
  id: string,
  fields: EntityFields,
  system: EntityFields,
  generation: Generation | undefined,
): ChargeSettingsDto {
  if (generation === '1.9') {
    const limitType = fields[CP.instantLimit]?.value;
    const hasInstant = V19_INSTANT.some((name) => fields[name] !== undefined);
    return {
      chargepointId: id,
      chargeMode: chargeModeOf(fields, system, generation),
      global: true,
      templateId: null,
      instantCharging: hasInstant
        ? {
            current: num(fields[CP.instantCurrent]?.value),
            phases: null,
            limit:
              limitType === 'none' || limitType === 'soc' || limitType === 'energy'
                ? { type: limitType, soc: num(fields[CP.instantSocLimit]?.value), energy: num(fields[CP.instantEnergyLimit]?.value) }
                : null,
          }
        : null,
      pvCharging: null,
      updatedAt: newest({ ...fields, ...(system[SYSTEM.chargeMode] ? { mode: system[SYSTEM.chargeMode] } : {}) }, [...V19_INSTANT, 'mode']),
    };
  }
  const template = fields[CP.chargeTemplate]?.value;
  const id2 = valueAt(template, ['id']);
  const at = (mode: string, key: string) => valueAt(template, ['chargemode', mode, key]);
  const hasTemplate = template !== undefined && template !== null;
  const feedIn = at('pv_charging', 'feed_in_limit');
  return {
    chargepointId: id,
    chargeMode: chargeModeOf(fields, system, generation),
    global: false,
    templateId: typeof id2 === 'number' || typeof id2 === 'string' ? String(id2) : null,
    instantCharging: hasTemplate
      ? {
          current: num(at('instant_charging', 'current')),
          phases: int(at('instant_charging', 'phases_to_use')),
          limit: templateLimit(template, 'instant_charging'),
        }
      : null,
    pvCharging: hasTemplate
      ? {
          minCurrent: num(at('pv_charging', 'min_current')),
          minSoc: num(at('pv_charging', 'min_soc')),
          minSocCurrent: num(at('pv_charging', 'min_soc_current')),
          phases: int(at('pv_charging', 'phases_to_use')),
          feedInLimit: typeof feedIn === 'boolean' ? feedIn : null,
          limit: templateLimit(template, 'pv_charging'),
        }
      : null,
    updatedAt: newest(fields, [CP.chargeTemplate]),
  };
}
