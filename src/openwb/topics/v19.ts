/** openWB 1.9 read topics (plain-text payloads), as openWB 1.9 publishes them under `openWB/`. */
import type { ChargeMode } from '../../live/fields.ts';
import {
  faultStateOfLevel,
  inverted,
  Invalid,
  lookup,
  negated,
  pipe,
  scaled,
  secondsToMs,
  string,
  textFlag,
  textInteger,
  textNumber,
  type Codec,
} from './codecs.ts';
import { component, site, system, type ComponentFields, type TopicRule, type TopicTable } from './table.ts';

const GLOBAL_CHARGE_MODES: ReadonlyMap<number, ChargeMode> = new Map([
  [0, 'instant'],
  [1, 'minPv'],
  [2, 'pv'],
  [3, 'stop'],
  [4, 'standby'],
]);

const kWh = scaled(textNumber, 1000);

const CHARGE_LIMITATIONS: ReadonlyMap<number, string> = new Map([
  [0, 'none'],
  [1, 'energy'],
  [2, 'soc'],
]);

/** `tag,unixts` (mode 1), `tag` (mode 2) or `0` for none. */
const rfidTag: Codec<string | null> = (input) => {
  if (typeof input !== 'string') return new Invalid('tag text', input);
  const tag = (input.split(',', 1)[0] ?? '').trim();
  return tag === '' || tag === '0' ? null : tag;
};

const lp = (suffix: string, fields: ComponentFields<'chargepoint'>): TopicRule => component('chargepoint', `openWB/lp/+/${suffix}`, fields);

const sofort = (suffix: string, fields: ComponentFields<'chargepoint'>): TopicRule =>
  component('chargepoint', `openWB/config/get/sofort/lp/+/${suffix}`, fields);

const rules: readonly TopicRule[] = [
  system('openWB/system/Version', { version: string }),
  system('openWB/system/Timestamp', { heartbeat: secondsToMs(textNumber) }),
  system('openWB/global/ChargeMode', {
    chargeMode: pipe(textInteger, lookup(GLOBAL_CHARGE_MODES, 'charge mode 0..4')),
  }),

  lp('W', { power: textNumber }),
  lp('kWhCounter', { energyImported: kWh }),
  lp('kWhDailyCharged', { energyToday: kWh }),
  lp('boolPlugStat', { plugged: textFlag }),
  lp('boolChargeStat', { charging: textFlag }),
  lp('ChargePointEnabled', { locked: inverted(textFlag) }),
  lp('%Soc', { vehicleSoc: textNumber }),
  lp('AConfigured', { setCurrent: textNumber }),
  lp('APhase1', { currentL1: textNumber }),
  lp('APhase2', { currentL2: textNumber }),
  lp('APhase3', { currentL3: textNumber }),
  lp('VPhase1', { voltageL1: textNumber }),
  lp('VPhase2', { voltageL2: textNumber }),
  lp('VPhase3', { voltageL3: textNumber }),
  lp('countPhasesInUse', { phasesInUse: textInteger }),
  lp('strChargePointName', { name: string }),
  lp('faultState', { faultState: pipe(textInteger, faultStateOfLevel) }),
  lp('faultStr', { faultMessage: string }),
  lp('lastRfId', { rfidTag }),
  sofort('current', { instantCurrent: textNumber }),
  sofort('chargeLimitation', { instantLimit: pipe(textInteger, lookup(CHARGE_LIMITATIONS, 'charge limitation 0..2')) }),
  sofort('energyToCharge', { instantEnergyLimit: kWh }),
  sofort('socToChargeTo', { instantSocLimit: textNumber }),

  site('home', 'openWB/global/WHouseConsumption', { power: textNumber }),
  site('home', 'openWB/global/DailyYieldHausverbrauchKwh', { energyToday: kWh }),

  site('grid', 'openWB/evu/W', { power: textNumber }),
  site('grid', 'openWB/evu/WhImported', { energyImported: textNumber }),
  site('grid', 'openWB/evu/WhExported', { energyExported: textNumber }),

  site('pv', 'openWB/pv/W', { power: negated(textNumber) }),
  site('pv', 'openWB/pv/WhCounter', { energyTotal: textNumber }),
  site('pv', 'openWB/pv/DailyYieldKwh', { energyToday: kWh }),

  site('battery', 'openWB/housebattery/W', { power: textNumber }),
  site('battery', 'openWB/housebattery/%Soc', { soc: textNumber }),
  site('battery', 'openWB/housebattery/WhImported', { energyImported: textNumber }),
  site('battery', 'openWB/housebattery/WhExported', { energyExported: textNumber }),
];

export const V19_TABLE: TopicTable = {
  generation: '1.9',
  rules,
  // 1.9 publishes only on change, so family-wide wildcards cost little.
  subscriptions: [
    'openWB/system/Version',
    'openWB/system/Timestamp',
    'openWB/global/+',
    'openWB/lp/+/+',
    'openWB/config/get/sofort/lp/+/+',
    'openWB/evu/+',
    'openWB/pv/+',
    'openWB/housebattery/+',
  ],
  entityId: /^[1-8]$/,
  republishedEveryCycle: [],
  parsePayload: (payload) => payload.toString('utf8'),
};
