/**
 * The only topics the gateway ever publishes to openWB, each with the payloads it may carry. The command
 * publisher refuses anything else, so a bug in a plan can never reach another openWB set topic.
 */
type PayloadCheck = (payload: string) => boolean;

const jsonValue = (payload: string): unknown => {
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return undefined;
  }
};
const jsonObject: PayloadCheck = (p) => {
  const value = jsonValue(p);
  return typeof value === 'object' && value !== null && !Array.isArray(value);
};
const jsonBool: PayloadCheck = (p) => p === 'true' || p === 'false';
const jsonTrue: PayloadCheck = (p) => p === 'true';
/** openWB's int check rejects `16.0`: integers only, in plain digits. */
const jsonInt: PayloadCheck = (p) => /^\d{1,9}$/.test(p);
const jsonPercent: PayloadCheck = (p) => /^\d{1,3}(\.\d+)?$/.test(p) && Number(p) <= 100;
const text =
  (pattern: RegExp): PayloadCheck =>
  (p) =>
    pattern.test(p);
const textRange =
  (min: number, max: number): PayloadCheck =>
  (p) =>
    /^\d{1,3}$/.test(p) && Number(p) >= min && Number(p) <= max;

const ALLOWED: readonly (readonly [RegExp, PayloadCheck])[] = [
  // openWB 2.x
  [/^openWB\/set\/chargepoint\/\d{1,9}\/set\/charge_template$/, jsonObject],
  [/^openWB\/set\/chargepoint\/\d{1,9}\/set\/manual_lock$/, jsonBool],
  [/^openWB\/set\/chargepoint\/\d{1,9}\/config\/ev$/, jsonInt],
  [/^openWB\/set\/vehicle\/\d{1,9}\/soc_module\/calculated_soc_state\/manual_soc$/, jsonPercent],
  [/^openWB\/set\/vehicle\/\d{1,9}\/get\/force_soc_update$/, jsonTrue],
  [/^openWB\/set\/vehicle\/\d{1,9}\/charge_template$/, jsonInt],
  [/^openWB\/set\/vehicle\/\d{1,9}\/soc_module\/config$/, jsonObject],
  // openWB 1.9
  [/^openWB\/set\/ChargeMode$/, text(/^[0-3]$/)],
  [/^openWB\/config\/set\/sofort\/lp\/[1-8]\/current$/, textRange(6, 32)],
  [/^openWB\/config\/set\/sofort\/lp\/[1-8]\/chargeLimitation$/, text(/^[0-2]$/)],
  [/^openWB\/config\/set\/sofort\/lp\/[1-8]\/energyToCharge$/, textRange(0, 100)],
  [/^openWB\/config\/set\/sofort\/lp\/[12]\/socToChargeTo$/, textRange(0, 100)],
  [/^openWB\/set\/lp\/[1-8]\/ChargePointEnabled$/, text(/^[01]$/)],
  [/^openWB\/set\/lp\/[12]\/manualSoc$/, textRange(0, 100)],
  [/^openWB\/set\/lp\/[12]\/ForceSoCUpdate$/, text(/^1$/)],
];

/** Why a message may not be published, or undefined when it may. */
export function refusal(topic: string, payload: string): string | undefined {
  const rule = ALLOWED.find(([pattern]) => pattern.test(topic));
  if (!rule) return `topic ${topic} is not on the allow-list`;
  return rule[1](payload) ? undefined : `payload ${JSON.stringify(payload.slice(0, 40))} is not valid for ${topic}`;
}
