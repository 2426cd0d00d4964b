import { numberAt, stringAt } from './json.ts';
import type { JsonObject } from './json.ts';

/** Readers for a charge template copy; missing keys fall back to openWB's dataclass defaults. */

export function selectedMode(template: JsonObject): string {
  return stringAt(template, 'chargemode', 'selected') ?? 'instant_charging';
}

export function modeNumber(template: JsonObject, mode: string, key: string, fallback: number): number {
  return numberAt(template, 'chargemode', mode, key) ?? fallback;
}

export type ModeLimit = { kind: 'none' } | { kind: 'soc'; soc: number } | { kind: 'amount'; amountWh: number };

export function modeLimit(template: JsonObject, mode: string): ModeLimit {
  const selected = stringAt(template, 'chargemode', mode, 'limit', 'selected');
  if (selected === 'soc') return { kind: 'soc', soc: numberAt(template, 'chargemode', mode, 'limit', 'soc') ?? 50 };
  if (selected === 'amount') return { kind: 'amount', amountWh: numberAt(template, 'chargemode', mode, 'limit', 'amount') ?? 50_000 };
  return { kind: 'none' };
}
