import { describe, expect, it } from 'vitest';
import { OpenWbDecoder } from '../../../src/openwb/decoder.ts';
import { CHARGE_TEMPLATE, changesOf, decode, reasonOf, templateWith } from './helpers.ts';

const v2 = () => new OpenWbDecoder({ mode: '2' });
const cp = (field: string, value: unknown) => ({ kind: 'chargepoint', id: '3', field, value });

describe('openWB 2.x chargepoint topics', () => {
  it.each([
    ['get/power', '11040.0', 'power', 11040],
    ['get/power', '11040', 'power', 11040],
    ['get/currents', '[16.0,16.0,16.0]', 'currents', [16, 16, 16]],
    ['get/voltages', '[230.1,229.8,231.0]', 'voltages', [230.1, 229.8, 231]],
    ['get/phases_in_use', '3', 'phasesInUse', 3],
    ['get/imported', '1250030.67', 'energyImported', 1250030.67],
    ['get/exported', '0', 'energyExported', 0],
    ['get/daily_imported', '8520.0', 'energyToday', 8520],
    ['get/plug_state', 'true', 'plugged', true],
    ['get/plug_state', '0', 'plugged', false],
    ['get/charge_state', '1', 'charging', true],
    ['get/charge_state', 'false', 'charging', false],
    ['get/fault_state', '0', 'faultState', 'ok'],
    ['get/fault_state', '1', 'faultState', 'warning'],
    ['get/fault_state', '2', 'faultState', 'error'],
    ['get/fault_str', '"Kein Fehler."', 'faultMessage', 'Kein Fehler.'],
    ['get/state_str', '"Fahrzeug lädt."', 'statusText', 'Fahrzeug lädt.'],
    ['get/state_str', 'null', 'statusText', null],
    ['get/rfid', '"04A1B2C3"', 'scannedTag', '04A1B2C3'],
    ['get/rfid', 'null', 'scannedTag', null],
    [
      'get/connected_vehicle/soc',
      '{"fault_str":"Kein Fehler.","fault_state":0,"range_charged":12.3,"range_unit":"km","range":210.0,"soc":55,"timestamp":1716200000.0}',
      'vehicleSoc',
      55,
    ],
    ['get/connected_vehicle/soc', '{"soc":null,"range":null}', 'vehicleSoc', null],
    ['set/current', '16', 'setCurrent', 16],
    ['set/manual_lock', 'true', 'locked', true],
    ['set/manual_lock', '0', 'locked', false],
    ['set/rfid', '"04A1B2C3"', 'rfidTag', '04A1B2C3'],
    ['set/rfid', 'null', 'rfidTag', null],
  ])('%s %s → %s', (suffix, payload, field, value) => {
    expect(changesOf(v2(), `openWB/chargepoint/3/${suffix}`, payload)).toEqual([cp(field, value)]);
  });

  it('takes a raw (non-JSON) string where the topic is a string', () => {
    expect(changesOf(v2(), 'openWB/chargepoint/3/get/fault_str', 'Kein Fehler.')).toEqual([cp('faultMessage', 'Kein Fehler.')]);
  });

  it('keeps the trailing space openWB puts in some status texts', () => {
    expect(changesOf(v2(), 'openWB/chargepoint/3/get/state_str', '"Ladevorgang wird gestartet... "')).toEqual([
      cp('statusText', 'Ladevorgang wird gestartet... '),
    ]);
  });

  it('splits connected_vehicle/info into vehicle id (as string) and name', () => {
    expect(changesOf(v2(), 'openWB/chargepoint/3/get/connected_vehicle/info', '{"id":1,"name":"e-Golf"}')).toEqual([
      cp('vehicleId', '1'),
      cp('vehicleName', 'e-Golf'),
    ]);
    expect(changesOf(v2(), 'openWB/chargepoint/3/get/connected_vehicle/info', '{"id":null,"name":null}')).toEqual([
      cp('vehicleId', null),
      cp('vehicleName', null),
    ]);
  });

  it('reads name, assigned vehicle and connected phases from config', () => {
    const config =
      '{"name":"Ladepunkt","type":"internal_openwb","ev":1,"template":0,"connected_phases":3,"phase_1":1,"auto_phase_switch_hw":false,"control_pilot_interruption_hw":false,"id":3,"configuration":{"mode":"series","duo_num":0,"ip_address":"localhost"},"ocpp_chargebox_id":null}';
    expect(changesOf(v2(), 'openWB/chargepoint/3/config', config)).toEqual([
      cp('name', 'Ladepunkt'),
      cp('configuredVehicleId', '1'),
      cp('connectedPhases', 3),
    ]);
    expect(changesOf(v2(), 'openWB/chargepoint/3/config', '{"name":"Ladepunkt","ev":1}')).toContainEqual(cp('connectedPhases', null));
    expect(decode(v2(), 'openWB/chargepoint/3/config', '{"name":"Ladepunkt","ev":1,"connected_phases":4}').kind).toBe('invalid');
  });

  it('reads the serial number and the EVSE maximum current (EnergSync charger facts)', () => {
    expect(changesOf(v2(), 'openWB/chargepoint/3/get/serial_number', '"12345678"')).toEqual([cp('serialNumber', '12345678')]);
    expect(changesOf(v2(), 'openWB/chargepoint/3/get/serial_number', 'null')).toEqual([cp('serialNumber', null)]);
    expect(changesOf(v2(), 'openWB/chargepoint/3/get/max_evse_current', '32')).toEqual([cp('maxEvseCurrent', 32)]);
    expect(decode(v2(), 'openWB/chargepoint/3/get/max_evse_current', '5000').kind).toBe('invalid');
  });

  it('ignores chargepoint topics the gateway does not use', () => {
    expect(decode(v2(), 'openWB/chargepoint/3/get/powers', '[3680.0,3680.0,3680.0]')).toEqual({ kind: 'ignored' });
    expect(decode(v2(), 'openWB/chargepoint/3/set/log', '{}')).toEqual({ kind: 'ignored' });
    expect(decode(v2(), 'openWB/chargepoint/get/power', '11040.0')).toEqual({ kind: 'ignored' });
    expect(decode(v2(), 'openWB/chargepoint/template/0', '{}')).toEqual({ kind: 'ignored' });
  });
});

describe('openWB 2.x charge mode', () => {
  it.each([
    ['instant_charging', 'instant'],
    ['pv_charging', 'pv'],
    ['eco_charging', 'eco'],
    ['scheduled_charging', 'scheduled'],
    ['stop', 'stop'],
    ['standby', 'standby'],
  ])('connected_vehicle/config %s → %s', (openWbMode, mode) => {
    const payload = `{"average_consumption":17000,"charge_template":1,"chargemode":"${openWbMode}","current_plan":null,"ev_template":0,"priority":false,"time_charging_in_use":false}`;
    expect(changesOf(v2(), 'openWB/chargepoint/3/get/connected_vehicle/config', payload)).toEqual([cp('chargeMode', mode)]);
  });

  it('stores the full charge template and its selected mode', () => {
    const changes = changesOf(v2(), 'openWB/chargepoint/3/set/charge_template', JSON.stringify(CHARGE_TEMPLATE));
    expect(changes).toEqual([cp('chargeMode', 'instant'), cp('chargeTemplate', CHARGE_TEMPLATE)]);
  });

  it('reports PV with a minimum current as minPv, and plain PV as pv', () => {
    const decoder = v2();
    expect(changesOf(decoder, 'openWB/chargepoint/3/set/charge_template', templateWith('pv_charging', 6))[0]).toEqual(
      cp('chargeMode', 'minPv'),
    );
    expect(changesOf(decoder, 'openWB/chargepoint/3/set/charge_template', templateWith('pv_charging', 0))[0]).toEqual(
      cp('chargeMode', 'pv'),
    );
  });

  it('does not let connected_vehicle/config flip a Min+PV chargepoint back to pv', () => {
    const decoder = v2();
    changesOf(decoder, 'openWB/chargepoint/3/set/charge_template', templateWith('pv_charging', 6));
    const config = '{"chargemode":"pv_charging","charge_template":1}';
    expect(changesOf(decoder, 'openWB/chargepoint/3/get/connected_vehicle/config', config)).toEqual([cp('chargeMode', 'minPv')]);
    expect(changesOf(decoder, 'openWB/chargepoint/4/get/connected_vehicle/config', config)).toEqual([
      { kind: 'chargepoint', id: '4', field: 'chargeMode', value: 'pv' },
    ]);
    changesOf(decoder, 'openWB/chargepoint/3/set/charge_template', templateWith('instant_charging', 6));
    expect(changesOf(decoder, 'openWB/chargepoint/3/get/connected_vehicle/config', config)).toEqual([cp('chargeMode', 'pv')]);
  });

  it('rejects unknown mode strings', () => {
    expect(reasonOf(v2(), 'openWB/chargepoint/3/get/connected_vehicle/config', '{"chargemode":"time_charging"}')).toContain(
      'time_charging',
    );
    expect(reasonOf(v2(), 'openWB/chargepoint/3/set/charge_template', templateWith('bidi_charging'))).toContain('chargemode.selected');
    expect(reasonOf(v2(), 'openWB/chargepoint/3/set/charge_template', '{"id":1}')).toContain('chargemode');
  });

  it('rejects a template that is not an object', () => {
    expect(reasonOf(v2(), 'openWB/chargepoint/3/set/charge_template', '"instant_charging"')).toContain('expected object');
  });
});

describe('openWB 2.x vehicles, counters and site', () => {
  it.each([
    ['openWB/vehicle/1/name', '"e-Golf"', { kind: 'vehicle', id: '1', field: 'name', value: 'e-Golf' }],
    ['openWB/vehicle/1/get/soc', '55', { kind: 'vehicle', id: '1', field: 'soc', value: 55 }],
    ['openWB/vehicle/1/get/soc', 'null', { kind: 'vehicle', id: '1', field: 'soc', value: null }],
    ['openWB/vehicle/1/get/range', '210.5', { kind: 'vehicle', id: '1', field: 'range', value: 210.5 }],
    ['openWB/vehicle/1/get/soc_timestamp', '1716200000.0', { kind: 'vehicle', id: '1', field: 'socUpdatedAt', value: 1716200000000 }],
    ['openWB/vehicle/1/get/soc_timestamp', '1716200000.123', { kind: 'vehicle', id: '1', field: 'socUpdatedAt', value: 1716200000123 }],
    ['openWB/vehicle/1/charge_template', '1', { kind: 'vehicle', id: '1', field: 'chargeTemplateId', value: '1' }],
    ['openWB/counter/0/get/power', '1520.5', { kind: 'counter', id: '0', field: 'power', value: 1520.5 }],
    ['openWB/counter/0/get/power', '-2300.0', { kind: 'counter', id: '0', field: 'power', value: -2300 }],
    ['openWB/counter/0/get/imported', '4567890.1', { kind: 'counter', id: '0', field: 'energyImported', value: 4567890.1 }],
    ['openWB/counter/0/get/exported', '20152.0', { kind: 'counter', id: '0', field: 'energyExported', value: 20152 }],
    ['openWB/pv/get/power', '-5230.0', { kind: 'site', id: 'pv', field: 'power', value: 5230 }],
    ['openWB/pv/get/exported', '12345678.123', { kind: 'site', id: 'pv', field: 'energyTotal', value: 12345678.123 }],
    ['openWB/pv/get/daily_exported', '18450.0', { kind: 'site', id: 'pv', field: 'energyToday', value: 18450 }],
    ['openWB/bat/get/power', '1500.0', { kind: 'site', id: 'battery', field: 'power', value: 1500 }],
    ['openWB/bat/get/soc', '78', { kind: 'site', id: 'battery', field: 'soc', value: 78 }],
    ['openWB/bat/get/imported', '2551.98', { kind: 'site', id: 'battery', field: 'energyImported', value: 2551.98 }],
    ['openWB/bat/get/exported', '2506.76', { kind: 'site', id: 'battery', field: 'energyExported', value: 2506.76 }],
    ['openWB/counter/set/home_consumption', '480.0', { kind: 'site', id: 'home', field: 'power', value: 480 }],
    ['openWB/counter/set/daily_yield_home_consumption', '6120.0', { kind: 'site', id: 'home', field: 'energyToday', value: 6120 }],
    ['openWB/system/version', '"2.2.2"', { kind: 'system', id: 'openwb', field: 'version', value: '2.2.2' }],
    ['openWB/system/time', '1716200040.5', { kind: 'system', id: 'openwb', field: 'heartbeat', value: 1716200040500 }],
  ])('%s %s', (topic, payload, change) => {
    expect(changesOf(v2(), topic, payload)).toEqual([change]);
  });

  it('never produces -0 for PV power at night', () => {
    const [change] = changesOf(v2(), 'openWB/pv/get/power', '0');
    expect(Object.is(change?.value, 0)).toBe(true);
    const [negativeZero] = changesOf(v2(), 'openWB/pv/get/power', '-0.0');
    expect(Object.is(negativeZero?.value, 0)).toBe(true);
  });

  it('takes the grid counter id from the top of the hierarchy', () => {
    const hierarchy =
      '[{"id":0,"type":"counter","children":[{"id":3,"type":"cp","children":[]},{"id":1,"type":"inverter","children":[]},{"id":2,"type":"bat","children":[]}]}]';
    expect(changesOf(v2(), 'openWB/counter/get/hierarchy', hierarchy)).toEqual([
      { kind: 'system', id: 'openwb', field: 'gridCounterId', value: '0' },
    ]);
    expect(changesOf(v2(), 'openWB/counter/get/hierarchy', '[{"id":5,"type":"counter","children":[]}]')[0]?.value).toBe('5');
    expect(changesOf(v2(), 'openWB/counter/get/hierarchy', '[]')[0]?.value).toBeNull();
    expect(reasonOf(v2(), 'openWB/counter/get/hierarchy', '{"id":0}')).toContain('hierarchy list');
    expect(reasonOf(v2(), 'openWB/counter/get/hierarchy', '[{"type":"counter"}]')).toContain('"id"');
  });

  it('ignores vehicle (ev) templates and refuses non-numeric ids', () => {
    const decoder = v2();
    expect(decode(decoder, 'openWB/vehicle/template/ev_template/1', JSON.stringify(CHARGE_TEMPLATE))).toEqual({ kind: 'ignored' });
    expect(decode(decoder, 'openWB/vehicle/template/name', '"x"')).toMatchObject({ kind: 'invalid', refusal: 'invalid-id' });
    expect(decode(decoder, 'openWB/chargepoint/abc/get/power', '1')).toMatchObject({ kind: 'invalid', refusal: 'invalid-id' });
    expect(decode(decoder, 'openWB/vehicle/1/get/odometer', '42137')).toEqual({ kind: 'ignored' });
    expect(decode(decoder, 'openWB/counter/0/get/currents', '[6.1,5.2,4.9]')).toEqual({ kind: 'ignored' });
    expect(decode(decoder, 'openWB/graph/lastlivevaluesJson', '{"grid":1.52}')).toEqual({ kind: 'ignored' });
  });
});

describe('openWB 2.x bad payloads', () => {
  it.each([
    ['openWB/chargepoint/3/get/power', '"11040"', 'expected number'],
    ['openWB/chargepoint/3/get/power', '{"power":1', 'expected number'],
    ['openWB/chargepoint/3/get/power', 'NaN', 'expected number'],
    ['openWB/chargepoint/3/get/power', 'null', 'expected number'],
    ['openWB/chargepoint/3/get/currents', '[16.0,16.0]', 'expected array of 3 numbers'],
    ['openWB/chargepoint/3/get/currents', '[16.0,"16",16.0]', 'expected array of 3 numbers'],
    ['openWB/chargepoint/3/get/currents', '16', 'expected array of 3 numbers'],
    ['openWB/chargepoint/3/get/phases_in_use', '4', 'expected integer 0..3'],
    ['openWB/chargepoint/3/get/phases_in_use', '1.5', 'expected integer 0..3'],
    ['openWB/chargepoint/3/get/plug_state', '2', 'expected boolean or 0/1'],
    ['openWB/chargepoint/3/get/plug_state', '"true"', 'expected boolean or 0/1'],
    ['openWB/chargepoint/3/get/fault_state', '3', 'expected fault state'],
    ['openWB/chargepoint/3/get/rfid', '12345678', 'expected string or null'],
    ['openWB/chargepoint/3/get/connected_vehicle/info', '{"id":1}', 'key "name"'],
    ['openWB/chargepoint/3/get/connected_vehicle/info', '[1,"e-Golf"]', 'expected object'],
    ['openWB/chargepoint/3/get/connected_vehicle/soc', '{"soc":"55"}', 'soc: expected number or null'],
    ['openWB/chargepoint/3/config', '{"name":"Ladepunkt"}', 'key "ev"'],
    ['openWB/vehicle/1/charge_template', '1.5', 'expected openWB component id'],
    ['openWB/system/time', '"yesterday"', 'expected number'],
    ['openWB/pv/get/power', 'garbage{', 'expected number'],
  ])('%s %s', (topic, payload, expected) => {
    const reason = reasonOf(v2(), topic, payload);
    expect(reason).toContain(topic);
    expect(reason).toContain(expected);
  });

  it('truncates long garbage in the reason', () => {
    const reason = reasonOf(v2(), 'openWB/chargepoint/3/get/power', 'x'.repeat(500));
    expect(reason.length).toBeLessThan(150);
  });
});
