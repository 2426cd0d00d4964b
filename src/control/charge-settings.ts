/** The chargepoint's charge settings as the API shows them, assembled from its live view (pure). */
import type { Schemas } from '../api/types.ts';
import type { Json } from '../live/model.ts';
import type { ChargePointView, Reading, SystemView } from '../live/views.ts';
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

function newest(readings: readonly (Reading<unknown> | undefined)[]): string | null {
  let at: number | undefined;
  for (const reading of readings) {
    if (reading !== undefined && (at === undefined || reading.receivedAt > at)) at = reading.receivedAt;
  }
  return at === undefined ? null : new Date(at).toISOString();
}

export function buildChargeSettings(chargepoint: ChargePointView, system: SystemView): ChargeSettingsDto {
  const cp = chargepoint.fields;
  if (system.fields.generation?.value === '1.9') {
    const instant = [cp.instantCurrent, cp.instantLimit, cp.instantEnergyLimit, cp.instantSocLimit];
    const limitType = cp.instantLimit?.value;
    return {
      chargepointId: chargepoint.id,
      chargeMode: system.fields.chargeMode?.value ?? null,
      global: true,
      templateId: null,
      instantCharging: instant.some((reading) => reading !== undefined)
        ? {
            current: cp.instantCurrent?.value ?? null,
            phases: null,
            limit:
              limitType === undefined
                ? null
                : { type: limitType, soc: cp.instantSocLimit?.value ?? null, energy: cp.instantEnergyLimit?.value ?? null },
          }
        : null,
      pvCharging: null,
      updatedAt: newest([...instant, system.fields.chargeMode]),
    };
  }
  const template = cp.chargeTemplate?.value;
  const templateId = template?.id;
  const at = (mode: string, key: string) => valueAt(template, ['chargemode', mode, key]);
  const feedIn = at('pv_charging', 'feed_in_limit');
  return {
    chargepointId: chargepoint.id,
    chargeMode: (cp.chargeMode ?? system.fields.chargeMode)?.value ?? null,
    global: false,
    templateId: typeof templateId === 'number' || typeof templateId === 'string' ? String(templateId) : null,
    instantCharging: template
      ? {
          current: num(at('instant_charging', 'current')),
          phases: int(at('instant_charging', 'phases_to_use')),
          limit: templateLimit(template, 'instant_charging'),
        }
      : null,
    pvCharging: template
      ? {
          minCurrent: num(at('pv_charging', 'min_current')),
          minSoc: num(at('pv_charging', 'min_soc')),
          minSocCurrent: num(at('pv_charging', 'min_soc_current')),
          phases: int(at('pv_charging', 'phases_to_use')),
          feedInLimit: typeof feedIn === 'boolean' ? feedIn : null,
          limit: templateLimit(template, 'pv_charging'),
        }
      : null,
    updatedAt: newest([cp.chargeTemplate]),
  };
}
