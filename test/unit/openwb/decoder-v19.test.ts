import { describe, expect, it } from 'vitest';
import { OpenWbDecoder } from '../../../src/openwb/decoder.ts';
import { changesOf, decode, reasonOf } from './helpers.ts';

const v19 = () => new OpenWbDecoder({ mode: '1.9' });
const lp1 = (field: string, value: unknown) => ({ kind: 'chargepoint', id: '1', field, value });

describe('openWB 1.9 chargepoint topics', () => {
  it.each([
    ['W', '11040', 'power', 11040],
    ['W', '0', 'power', 0],
    ['kWhCounter', '1250.031', 'energyImported', 1250031],
    ['kWhCounter', '1.005', 'energyImported', 1005],
    ['kWhDailyCharged', '22.08', 'energyToday', 22080],
    ['boolPlugStat', '1', 'plugged', true],
    ['boolPlugStat', '0', 'plugged', false],
    ['boolChargeStat', '1', 'charging', true],
    ['ChargePointEnabled', '0', 'locked', true],
    ['ChargePointEnabled', '1', 'locked', false],
    ['%Soc', '55', 'vehicleSoc', 55],
    ['AConfigured', '16', 'setCurrent', 16],
    ['APhase1', '16.0', 'currentL1', 16],
    ['APhase2', '15.8', 'currentL2', 15.8],
    ['APhase3', '0', 'currentL3', 0],
    ['VPhase1', '230.1', 'voltageL1', 230.1],
    ['VPhase2', '229.8', 'voltageL2', 229.8],
    ['VPhase3', '231', 'voltageL3', 231],
    ['countPhasesInUse', '3', 'phasesInUse', 3],
    ['strChargePointName', 'Garage', 'name', 'Garage'],
    ['faultState', '0', 'faultState', 'ok'],
    ['faultState', '2', 'faultState', 'error'],
    ['faultStr', 'Kein Fehler.', 'faultMessage', 'Kein Fehler.'],
    ['lastRfId', '04A1B2C3,1716199240', 'rfidTag', '04A1B2C3'],
    ['lastRfId', '04A1B2C3', 'rfidTag', '04A1B2C3'],
    ['lastRfId', '0', 'rfidTag', null],
    ['lastRfId', ' ', 'rfidTag', null],
  ])('%s %s → %s', (suffix, payload, field, value) => {
    expect(changesOf(v19(), `openWB/lp/1/${suffix}`, payload)).toEqual([lp1(field, value)]);
  });

  it('accepts lp 1..8 and refuses any other id', () => {
    expect(changesOf(v19(), 'openWB/lp/8/W', '7360')).toEqual([{ kind: 'chargepoint', id: '8', field: 'power', value: 7360 }]);
    for (const id of ['9', '0', '01', 'abc']) {
      expect(decode(v19(), `openWB/lp/${id}/W`, '7360')).toMatchObject({ kind: 'invalid', refusal: 'invalid-id' });
    }
  });

  it('ignores lp topics the gateway does not use', () => {
    expect(decode(v19(), 'openWB/lp/1/tagScanInfo', '1716199240,04A1B2C3,1')).toEqual({ kind: 'ignored' });
    expect(decode(v19(), 'openWB/lp/1/kWhActualCharged', '0.03')).toEqual({ kind: 'ignored' });
    expect(decode(v19(), 'openWB/pv/1/W', '-2000')).toEqual({ kind: 'ignored' });
  });
});

describe('openWB 1.9 global, grid, PV, battery and system topics', () => {
  it.each([
    ['0', 'instant'],
    ['1', 'minPv'],
    ['2', 'pv'],
    ['3', 'stop'],
    ['4', 'standby'],
  ])('global ChargeMode %s → %s', (payload, mode) => {
    expect(changesOf(v19(), 'openWB/global/ChargeMode', payload)).toEqual([
      { kind: 'system', id: 'openwb', field: 'chargeMode', value: mode },
    ]);
  });

  it.each([
    ['openWB/global/WHouseConsumption', '480', { kind: 'site', id: 'home', field: 'power', value: 480 }],
    ['openWB/global/DailyYieldHausverbrauchKwh', '6.12', { kind: 'site', id: 'home', field: 'energyToday', value: 6120 }],
    ['openWB/evu/W', '-2300', { kind: 'site', id: 'grid', field: 'power', value: -2300 }],
    ['openWB/evu/WhImported', '4567890.1', { kind: 'site', id: 'grid', field: 'energyImported', value: 4567890.1 }],
    ['openWB/evu/WhExported', '20152', { kind: 'site', id: 'grid', field: 'energyExported', value: 20152 }],
    ['openWB/pv/W', '-5230', { kind: 'site', id: 'pv', field: 'power', value: 5230 }],
    ['openWB/pv/WhCounter', '12345678', { kind: 'site', id: 'pv', field: 'energyTotal', value: 12345678 }],
    ['openWB/pv/DailyYieldKwh', '18.45', { kind: 'site', id: 'pv', field: 'energyToday', value: 18450 }],
    ['openWB/housebattery/W', '-1200', { kind: 'site', id: 'battery', field: 'power', value: -1200 }],
    ['openWB/housebattery/%Soc', '78', { kind: 'site', id: 'battery', field: 'soc', value: 78 }],
    ['openWB/housebattery/WhImported', '2551.98', { kind: 'site', id: 'battery', field: 'energyImported', value: 2551.98 }],
    ['openWB/housebattery/WhExported', '2506.76', { kind: 'site', id: 'battery', field: 'energyExported', value: 2506.76 }],
    ['openWB/system/Version', '1.9.304.0', { kind: 'system', id: 'openwb', field: 'version', value: '1.9.304.0' }],
    ['openWB/system/Timestamp', '1716199240', { kind: 'system', id: 'openwb', field: 'heartbeat', value: 1716199240000 }],
  ])('%s %s', (topic, payload, change) => {
    expect(changesOf(v19(), topic, payload)).toEqual([change]);
  });

  it('never produces -0 for PV power', () => {
    const [change] = changesOf(v19(), 'openWB/pv/W', '0');
    expect(Object.is(change?.value, 0)).toBe(true);
  });

  it('tolerates the trailing newline of shell-published values', () => {
    expect(changesOf(v19(), 'openWB/lp/1/W', '11040\n')).toEqual([lp1('power', 11040)]);
  });
});

describe('openWB 1.9 bad payloads', () => {
  it.each([
    ['openWB/lp/1/W', 'nan', 'expected decimal text'],
    ['openWB/lp/1/W', 'NaN', 'expected decimal text'],
    ['openWB/lp/1/W', 'inf', 'expected decimal text'],
    ['openWB/lp/1/W', 'Infinity', 'expected decimal text'],
    ['openWB/lp/1/W', '0x1f', 'expected decimal text'],
    ['openWB/lp/1/W', '1e400', 'expected finite decimal text'],
    ['openWB/lp/1/W', ' ', 'expected decimal text'],
    ['openWB/lp/1/kWhCounter', '12,5', 'expected decimal text'],
    ['openWB/lp/1/boolPlugStat', 'true', 'expected 0 or 1'],
    ['openWB/lp/1/boolPlugStat', '2', 'expected 0 or 1'],
    ['openWB/lp/1/countPhasesInUse', '2.5', 'expected integer'],
    ['openWB/lp/1/faultState', '7', 'expected fault state'],
    ['openWB/global/ChargeMode', '5', 'expected charge mode 0..4'],
    ['openWB/global/ChargeMode', 'Sofortladen', 'expected decimal text'],
    ['openWB/system/Timestamp', '20.05.24 12:00', 'expected decimal text'],
  ])('%s %j', (topic, payload, expected) => {
    const reason = reasonOf(v19(), topic, payload);
    expect(reason).toContain(topic);
    expect(reason).toContain(expected);
  });
});
