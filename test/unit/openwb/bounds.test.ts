import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES } from '../../../src/openwb/bounds.ts';
import { OpenWbDecoder } from '../../../src/openwb/decoder.ts';
import { changesOf, decode } from './helpers.ts';

const v2 = () => new OpenWbDecoder({ mode: '2' });
const v19 = () => new OpenWbDecoder({ mode: '1.9' });
const json = (value: unknown) => JSON.stringify(value);

function refusalOf(decoder: OpenWbDecoder, topic: string, payload: string | Buffer): string | undefined {
  const outcome = decoder.decode(topic, typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload);
  if (outcome.kind === 'invalid') {
    expect(outcome.topic).toBe(topic);
    return outcome.refusal;
  }
  return outcome.kind;
}

describe('ids at the edge of ingest: only openWB’s own canonical form', () => {
  it.each([
    ['00003', 'a leading zero would duplicate chargepoint 3'],
    ['03', 'a leading zero'],
    ['abc', 'not a number'],
    ['-1', 'a sign'],
    ['3.5', 'a fraction'],
    ['1e3', 'an exponent'],
    ['1234567890123456789012345678901234567890', '40 digits'],
    ['1000000', 'above the 999999 bound'],
  ])('refuses chargepoint id %s (%s)', (id) => {
    expect(refusalOf(v2(), `openWB/chargepoint/${id}/get/power`, '100')).toBe('invalid-id');
    expect(refusalOf(v2(), `openWB/vehicle/${id}/get/soc`, '50')).toBe('invalid-id');
    expect(refusalOf(v2(), `openWB/counter/${id}/get/power`, '100')).toBe('invalid-id');
  });

  it('accepts 0 and ids up to 999999', () => {
    expect(changesOf(v2(), 'openWB/vehicle/0/get/soc', '50')).toEqual([{ kind: 'vehicle', id: '0', field: 'soc', value: 50 }]);
    expect(changesOf(v2(), 'openWB/chargepoint/999999/get/power', '100')).toEqual([
      { kind: 'chargepoint', id: '999999', field: 'power', value: 100 },
    ]);
  });

  it('refuses non-canonical ids inside payloads too', () => {
    expect(refusalOf(v2(), 'openWB/chargepoint/3/get/connected_vehicle/info', json({ id: '007', name: 'x' }))).toBe('invalid-id');
    expect(refusalOf(v2(), 'openWB/chargepoint/3/config', json({ name: 'x', ev: -1 }))).toBe('invalid-id');
    expect(refusalOf(v2(), 'openWB/vehicle/1/charge_template', '"1e3"')).toBe('invalid-id');
  });
});

describe('strings within the spec’s limits, valid UTF-8 only', () => {
  it.each([
    ['openWB/chargepoint/3/get/state_str', 2000],
    ['openWB/chargepoint/3/get/fault_str', 2000],
    ['openWB/chargepoint/3/set/rfid', 200],
    ['openWB/chargepoint/3/get/rfid', 200],
    ['openWB/vehicle/1/name', 200],
    ['openWB/system/version', 64],
  ])('%s: %d characters pass, one more is too long', (topic, maxLength) => {
    expect(refusalOf(v2(), topic, json('x'.repeat(maxLength)))).toBe('updates');
    expect(refusalOf(v2(), topic, json('x'.repeat(maxLength + 1)))).toBe('too-long');
  });

  it('refuses a 250-character RFID tag, which the database column could not hold', () => {
    expect(refusalOf(v2(), 'openWB/chargepoint/3/set/rfid', json('A'.repeat(250)))).toBe('too-long');
    expect(refusalOf(v19(), 'openWB/lp/1/lastRfId', 'A'.repeat(250))).toBe('too-long');
  });

  it('counts characters, not UTF-16 units: 200 emoji are a valid tag', () => {
    expect(refusalOf(v2(), 'openWB/chargepoint/3/set/rfid', json('🔑'.repeat(200)))).toBe('updates');
    expect(refusalOf(v2(), 'openWB/chargepoint/3/set/rfid', json('🔑'.repeat(201)))).toBe('too-long');
  });

  it('bounds names, messages and texts inside JSON objects and 1.9 text', () => {
    expect(refusalOf(v2(), 'openWB/chargepoint/3/config', json({ name: 'x'.repeat(201), ev: 1 }))).toBe('too-long');
    expect(refusalOf(v2(), 'openWB/chargepoint/3/get/connected_vehicle/info', json({ id: 1, name: 'x'.repeat(201) }))).toBe('too-long');
    expect(refusalOf(v2(), 'openWB/vehicle/template/charge_template/1', json({ name: 'x'.repeat(201) }))).toBe('too-long');
    expect(refusalOf(v19(), 'openWB/lp/1/strChargePointName', 'x'.repeat(201))).toBe('too-long');
    expect(refusalOf(v19(), 'openWB/lp/1/faultStr', 'x'.repeat(2001))).toBe('too-long');
  });

  it('refuses a payload over the size limit before parsing it (a 1 MB state_str)', () => {
    expect(refusalOf(v2(), 'openWB/chargepoint/3/get/state_str', json('x'.repeat(1_000_000)))).toBe('too-long');
    expect(refusalOf(v2(), 'openWB/vehicle/1/soc_module/config', json({ blob: 'x'.repeat(MAX_PAYLOAD_BYTES) }))).toBe('too-long');
  });

  it('refuses invalid UTF-8 in either generation, and lone surrogates from JSON escapes', () => {
    const invalid = Buffer.concat([Buffer.from('"Fahrzeug l'), Buffer.from([0xc3, 0x28]), Buffer.from('dt."')]);
    expect(refusalOf(v2(), 'openWB/chargepoint/3/get/state_str', invalid)).toBe('invalid-utf8');
    expect(refusalOf(v2(), 'openWB/vehicle/1/name', Buffer.from([0x22, 0xff, 0xfe, 0x22]))).toBe('invalid-utf8');
    expect(refusalOf(v19(), 'openWB/lp/1/strChargePointName', Buffer.from([0x47, 0x80]))).toBe('invalid-utf8');
    expect(refusalOf(v2(), 'openWB/chargepoint/3/get/state_str', '"a\\ud800b"')).toBe('invalid-utf8');
    expect(refusalOf(v2(), 'openWB/chargepoint/3/set/charge_template', '{"\\udc00":1,"chargemode":{"selected":"stop"}}')).toBe(
      'invalid-utf8',
    );
    expect(refusalOf(v2(), 'openWB/chargepoint/3/get/state_str', json('Fahrzeug lädt. 🚗'))).toBe('updates');
  });
});

describe('numbers finite and within physical bounds per field', () => {
  it.each([
    ['openWB/chargepoint/3/get/imported', '1e308', 'out-of-range'],
    ['openWB/chargepoint/3/get/imported', '1e999', 'not-finite'],
    ['openWB/chargepoint/3/get/imported', '-1', 'out-of-range'],
    ['openWB/chargepoint/3/get/exported', '-0.5', 'out-of-range'],
    ['openWB/chargepoint/3/get/daily_imported', '-10', 'out-of-range'],
    ['openWB/chargepoint/3/get/power', '1e308', 'out-of-range'],
    ['openWB/chargepoint/3/get/power', '-2000000', 'out-of-range'],
    ['openWB/chargepoint/3/get/currents', '[16,16,5000]', 'out-of-range'],
    ['openWB/chargepoint/3/get/currents', '[16,1e999,16]', 'not-finite'],
    ['openWB/chargepoint/3/get/voltages', '[230,-1,230]', 'out-of-range'],
    ['openWB/chargepoint/3/get/voltages', '[230,230,1001]', 'out-of-range'],
    ['openWB/chargepoint/3/set/current', '-2000', 'out-of-range'],
    ['openWB/chargepoint/3/get/connected_vehicle/soc', '{"soc":101}', 'out-of-range'],
    ['openWB/vehicle/1/get/soc', '101', 'out-of-range'],
    ['openWB/vehicle/1/get/soc', '-1', 'out-of-range'],
    ['openWB/vehicle/1/get/range', '-5', 'out-of-range'],
    ['openWB/vehicle/1/get/soc_timestamp', '1e300', 'out-of-range'],
    ['openWB/vehicle/1/soc_module/calculated_soc_state', '{"manual_soc":150}', 'out-of-range'],
    ['openWB/counter/0/get/power', '1e12', 'out-of-range'],
    ['openWB/counter/0/get/imported', '-1', 'out-of-range'],
    ['openWB/bat/get/soc', '100.5', 'out-of-range'],
    ['openWB/pv/get/exported', '1e13', 'out-of-range'],
    ['openWB/system/time', '-1', 'out-of-range'],
    ['openWB/chargepoint/3/get/power', '"11040"', 'invalid-payload'],
  ])('%s %s is %s', (topic, payload, expected) => {
    expect(refusalOf(v2(), topic, payload)).toBe(expected);
  });

  it.each([
    ['openWB/lp/1/kWhCounter', '1e300', 'out-of-range'],
    ['openWB/lp/1/kWhCounter', '1e400', 'not-finite'],
    ['openWB/lp/1/kWhCounter', '-3', 'out-of-range'],
    ['openWB/lp/1/W', '5e6', 'out-of-range'],
    ['openWB/lp/1/%Soc', '150', 'out-of-range'],
    ['openWB/lp/1/VPhase1', '-230', 'out-of-range'],
    ['openWB/housebattery/%Soc', '-1', 'out-of-range'],
    ['openWB/evu/WhImported', '1e308', 'out-of-range'],
    ['openWB/config/get/sofort/lp/1/socToChargeTo', '101', 'out-of-range'],
    ['openWB/lp/1/W', 'Infinity', 'invalid-payload'],
  ])('1.9 %s %s is %s', (topic, payload, expected) => {
    expect(refusalOf(v19(), topic, payload)).toBe(expected);
  });

  it('accepts the bounds themselves and real openWB values', () => {
    expect(refusalOf(v2(), 'openWB/vehicle/1/get/soc', '100')).toBe('updates');
    expect(refusalOf(v2(), 'openWB/vehicle/1/get/soc', '0')).toBe('updates');
    expect(refusalOf(v2(), 'openWB/chargepoint/3/get/imported', '0')).toBe('updates');
    expect(refusalOf(v2(), 'openWB/chargepoint/3/get/imported', '1250030.67')).toBe('updates');
    expect(refusalOf(v2(), 'openWB/chargepoint/3/get/power', '-11040')).toBe('updates');
    expect(refusalOf(v2(), 'openWB/counter/0/get/power', '-6500.5')).toBe('updates');
    expect(refusalOf(v2(), 'openWB/pv/get/power', '-5230')).toBe('updates');
  });

  it('always lets openWB delete a topic (empty payload)', () => {
    expect(decode(v2(), 'openWB/chargepoint/3/get/imported', '')).toMatchObject({ kind: 'updates', everyCycle: true });
    expect(decode(v2(), 'openWB/vehicle/1/name', '')).toMatchObject({ kind: 'updates', everyCycle: false });
  });
});
