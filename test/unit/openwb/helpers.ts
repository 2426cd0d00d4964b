import { expect } from 'vitest';
import type { DecodeOutcome, FieldChange, OpenWbDecoder } from '../../../src/openwb/decoder.ts';

export function decode(decoder: OpenWbDecoder, topic: string, payload: string): DecodeOutcome {
  return decoder.decode(topic, Buffer.from(payload, 'utf8'));
}

/** Decodes and asserts the message produced updates; returns the changes. */
export function changesOf(decoder: OpenWbDecoder, topic: string, payload: string): FieldChange[] {
  const outcome = decode(decoder, topic, payload);
  if (outcome.kind !== 'updates') expect.fail(`expected updates for ${topic}, got ${JSON.stringify(outcome)}`);
  return outcome.changes;
}

/** Decodes and asserts the message was rejected; returns the reason. */
export function reasonOf(decoder: OpenWbDecoder, topic: string, payload: string): string {
  const outcome = decode(decoder, topic, payload);
  if (outcome.kind !== 'invalid') expect.fail(`expected invalid for ${topic}, got ${JSON.stringify(outcome)}`);
  expect(outcome.topic).toBe(topic);
  return outcome.reason;
}

export const CHARGE_TEMPLATE = {
  id: 1,
  name: 'Standard-Lade-Profil',
  prio: false,
  load_default: false,
  time_charging: { active: false, plans: [] },
  chargemode: {
    selected: 'instant_charging',
    instant_charging: {
      current: 16,
      dc_current: 145,
      phases_to_use: 3,
      limit: { selected: 'none', amount: 50000, soc: 50 },
    },
    pv_charging: {
      min_current: 0,
      min_soc: 0,
      min_soc_current: 10,
      phases_to_use: 0,
      phases_to_use_min_soc: 3,
      feed_in_limit: false,
      dc_min_current: 145,
      dc_min_soc_current: 145,
      limit: { selected: 'none', amount: 50000, soc: 50 },
    },
    eco_charging: {
      current: 6,
      dc_current: 145,
      max_price: 0.0002,
      phases_to_use: 3,
      limit: { selected: 'none', amount: 50000, soc: 50 },
    },
    scheduled_charging: { plans: [] },
  },
};

/** The default template with another selected mode and PV minimum current. */
export function templateWith(selected: string, pvMinCurrent = 0): string {
  const template = structuredClone(CHARGE_TEMPLATE);
  template.chargemode.selected = selected;
  template.chargemode.pv_charging.min_current = pvMinCurrent;
  return JSON.stringify(template);
}
