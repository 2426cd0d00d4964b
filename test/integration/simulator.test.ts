import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenWbSimulator, SCENARIO } from '../../src/openwb/simulator/index.ts';
import { brokerFence, isFence } from '../support/mqtt-fence.ts';

const BROKER_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const NOON = Date.UTC(2025, 5, 21, 12, 0, 0);
const NIGHT = Date.UTC(2025, 5, 21, 2, 0, 0);
const LOCKED = 'Keine Ladung, da der Ladepunkt gesperrt ist.';
let instance = 0;

/** Everything under one test's prefix as a subscriber sees it (live messages plus the clears). */
class BrokerView {
  readonly last = new Map<string, string>();
  readonly retainFlags = new Map<string, boolean>();
  private readonly counts = new Map<string, number>();
  heartbeats = 0;

  private constructor(
    readonly client: MqttClient,
    readonly prefix: string,
  ) {}

  static async open(prefix: string): Promise<BrokerView> {
    const client = await mqtt.connectAsync(BROKER_URL, { reconnectPeriod: 0 });
    const view = new BrokerView(client, prefix);
    client.on('message', (topic, payload, packet) => {
      if (isFence(topic, prefix)) return;
      const name = topic.slice(prefix.length);
      view.last.set(name, payload.toString('utf8'));
      view.retainFlags.set(name, packet.retain);
      view.counts.set(name, (view.counts.get(name) ?? 0) + 1);
      if (name === 'openWB/system/time') view.heartbeats += 1;
    });
    await client.subscribeAsync(`${prefix}openWB/#`, { qos: 0 });
    return view;
  }

  raw(topic: string): string | undefined {
    return this.last.get(`openWB/${topic}`);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- payload shapes are asserted by the tests
  json(topic: string): any {
    const raw = this.raw(topic);
    if (raw === undefined || raw === '') throw new Error(`no retained value on openWB/${topic}`);
    return JSON.parse(raw);
  }

  count(topic: string): number {
    return this.counts.get(`openWB/${topic}`) ?? 0;
  }

  async until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Publishes like the openWB UIs (retained) and waits until the simulator cleared the set topic. */
  async set(path: string, payload: string): Promise<void> {
    const topic = `set/${path}`;
    const before = this.count(topic);
    await this.client.publishAsync(`${this.prefix}openWB/${topic}`, payload, { qos: 0, retain: true });
    await this.until(() => this.count(topic) >= before + 2 && this.raw(topic) === '', `clear of openWB/${topic}`);
  }

  async publishRaw(path: string, payload: string): Promise<void> {
    await this.client.publishAsync(`${this.prefix}openWB/${path}`, payload, { qos: 0, retain: true });
  }

  /** Deletes every retained message this test left on the shared broker. */
  async close(): Promise<void> {
    const clears = [...this.last]
      .filter(([, payload]) => payload !== '')
      .map(([topic]) => this.client.publishAsync(this.prefix + topic, '', { qos: 0, retain: true }));
    await Promise.all(clears);
    await this.client.endAsync();
  }
}

interface Harness {
  sim: OpenWbSimulator;
  view: BrokerView;
  clock: { ms: number };
  warnings: string[];
  tick(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startSimulator(startMs = NOON): Promise<Harness> {
  const prefix = `sim-${process.pid}-${Date.now()}-${instance++}/`;
  const view = await BrokerView.open(prefix);
  cleanups.push(() => view.close());
  const clock = { ms: startMs };
  const warnings: string[] = [];
  const sim = await OpenWbSimulator.start({
    url: BROKER_URL,
    topicPrefix: prefix,
    intervalMs: 0,
    now: () => clock.ms,
    logger: { info: () => undefined, warn: (_obj, msg) => warnings.push(msg ?? '') },
  });
  cleanups.push(() => sim.stop());
  await view.until(() => view.heartbeats >= 1, 'initial state');
  let cycles = 0;
  const tick = async (): Promise<void> => {
    clock.ms += 10_000;
    await sim.tick();
    cycles += 1;
    // system/time is the last message of every cycle, so the whole cycle has arrived with it.
    await view.until(() => view.heartbeats >= cycles + 1, `cycle ${cycles}`);
  };
  return { sim, view, clock, warnings, tick };
}

const CHARGEPOINT_TOPICS = [
  'config',
  ...['power', 'powers', 'currents', 'voltages', 'power_factors', 'frequency', 'phases_in_use', 'imported', 'exported'].map(
    (s) => `get/${s}`,
  ),
  ...['daily_imported', 'daily_exported', 'plug_state', 'charge_state', 'evse_current', 'max_evse_current'].map((s) => `get/${s}`),
  ...['fault_state', 'fault_str', 'state_str', 'rfid', 'rfid_timestamp', 'vehicle_id', 'serial_number'].map((s) => `get/${s}`),
  ...['info', 'config', 'soc'].map((s) => `get/connected_vehicle/${s}`),
  ...['current', 'manual_lock', 'rfid', 'phases_to_use', 'charge_template', 'log'].map((s) => `set/${s}`),
];
const VEHICLE_TOPICS = [
  ...['name', 'charge_template', 'ev_template', 'tag_id', 'info'],
  ...['soc', 'range', 'soc_timestamp', 'force_soc_update', 'fault_state', 'fault_str'].map((s) => `get/${s}`),
  ...['config', 'general_config', 'calculated_soc_state'].map((s) => `soc_module/${s}`),
];
const TOTALS = ['exported', 'daily_exported', 'monthly_exported', 'yearly_exported', 'fault_state', 'fault_str'];
const BATTERY = ['power', 'soc', 'imported', 'exported', 'daily_imported', 'daily_exported', 'fault_state', 'fault_str'];
const EXPECTED_TOPICS = [
  ...['system/version', 'system/ip_address', 'system/configurable/soc_modules', 'system/time', 'optional/rfid/active'],
  ...['general/control_interval', 'general/range_unit', 'general/temporary_charge_templates_active'],
  ...['grid', 'pv', 'bat', 'cp'].map((kind) => `general/prices/${kind}`),
  'chargepoint/template/0',
  ...[3, 4].flatMap((id) => CHARGEPOINT_TOPICS.map((s) => `chargepoint/${id}/${s}`)),
  ...['power', 'imported', 'exported', 'daily_imported', 'daily_exported', 'fault_state', 'fault_str'].map((s) => `chargepoint/get/${s}`),
  ...[0, 1, 2].flatMap((id) => VEHICLE_TOPICS.map((s) => `vehicle/${id}/${s}`)),
  ...[0, 1, 2].flatMap((id) => [`vehicle/template/charge_template/${id}`, `vehicle/template/ev_template/${id}`]),
  'counter/get/hierarchy',
  ...['power', 'powers', 'currents', 'voltages', 'power_factors', 'frequency', 'imported', 'exported'].map((s) => `counter/0/get/${s}`),
  ...['daily_imported', 'daily_exported', 'fault_state', 'fault_str'].map((s) => `counter/0/get/${s}`),
  ...['home_consumption', 'daily_yield_home_consumption', 'imported_home_consumption', 'invalid_home_consumption'].map(
    (s) => `counter/set/${s}`,
  ),
  'counter/config/home_consumption_source_id',
  ...['pv/1/get', 'pv/get'].flatMap((p) => ['power', ...TOTALS].map((s) => `${p}/${s}`)),
  'pv/1/get/currents',
  'pv/config/configured',
  ...['bat/2/get', 'bat/get'].flatMap((p) => BATTERY.map((s) => `${p}/${s}`)),
  'bat/2/get/currents',
  'bat/config/configured',
  'graph/lastlivevaluesJson',
].map((topic) => `openWB/${topic}`);

describe('openWB 2.x simulator: retained state', () => {
  it('publishes the full state retained, as JSON, on exactly the openWB topics', async () => {
    const { view } = await startSimulator();
    // A late subscriber sees what an app connecting to the public broker sees: the retained copies.
    const late = await BrokerView.open(view.prefix);
    cleanups.push(() => late.client.endAsync());
    await late.until(() => EXPECTED_TOPICS.every((topic) => late.last.has(topic)), 'all retained topics');
    await brokerFence(late.client, late.prefix); // every retained copy has arrived, expected or not

    expect([...late.last.keys()].sort()).toEqual([...EXPECTED_TOPICS].sort());
    expect([...late.retainFlags.values()].every(Boolean)).toBe(true);
    for (const [topic, payload] of late.last) expect(() => JSON.parse(payload), topic).not.toThrow();

    expect(late.raw('system/version')).toBe('"2.2.2"');
    expect(late.raw('optional/rfid/active')).toBe('true');
    expect(late.raw('general/control_interval')).toBe('10');
    expect(late.raw('vehicle/1/tag_id')).toBe('["04A1B2C3"]');
    expect(late.raw('vehicle/2/tag_id')).toBe('["1234567890"]');
    expect(late.raw('chargepoint/3/set/manual_lock')).toBe('true');
    expect(late.raw('chargepoint/3/get/plug_state')).toBe('false');
    expect(late.raw('chargepoint/3/get/rfid')).toBe('null');
    expect(late.raw('chargepoint/3/set/rfid')).toBe('null');
    expect(late.raw('chargepoint/3/get/fault_str')).toBe('"Kein Fehler."');
    expect(late.json('chargepoint/3/get/state_str')).toBe(LOCKED);
    expect(late.json('chargepoint/3/get/imported')).toBe(1_250_000);
    expect(late.json('system/time')).toBeCloseTo(NOON / 1000, 3);

    expect(late.json('counter/get/hierarchy')).toEqual([
      {
        id: 0,
        type: 'counter',
        children: [
          { id: 3, type: 'cp', children: [] },
          { id: 4, type: 'cp', children: [] },
          { id: 1, type: 'inverter', children: [] },
          { id: 2, type: 'bat', children: [] },
        ],
      },
    ]);
    expect(late.json('chargepoint/3/config')).toMatchObject({
      id: 3,
      name: 'Garage',
      type: 'internal_openwb',
      ev: 0,
      template: 0,
      connected_phases: 3,
    });
    expect(late.json('chargepoint/4/config')).toMatchObject({ id: 4, name: 'Carport', type: 'internal_openwb' });
    expect(late.json('chargepoint/template/0').valid_tags).toEqual(['04A1B2C3', '1234567890']);
    expect([0, 1, 2].map((id) => late.json(`vehicle/${id}/name`))).toEqual(['Standard-Fahrzeug', 'e-Golf', 'ID.3']);
    expect([1, 2].map((id) => late.json(`vehicle/${id}/charge_template`))).toEqual([1, 2]);
    expect(late.json('vehicle/template/ev_template/1').battery_capacity).toBe(36_000);
    expect(late.json('vehicle/template/ev_template/2').battery_capacity).toBe(58_000);
    expect(late.json('vehicle/template/charge_template/1')).toMatchObject({
      id: 1,
      chargemode: { selected: 'instant_charging', instant_charging: { current: 16, phases_to_use: 3, limit: { selected: 'none' } } },
    });
    expect(late.json('vehicle/template/charge_template/2').chargemode.pv_charging).toMatchObject({ min_current: 6, phases_to_use: 0 });

    const modules = late.json('system/configurable/soc_modules');
    expect(modules[0]).toEqual({ value: null, text: '- kein SoC Modul -', defaults: { type: null, configuration: {} } });
    expect(modules.map((m: { value: string | null }) => m.value)).toEqual(
      expect.arrayContaining(['manual', 'mqtt', 'http', 'homeassistant', 'tesla', 'kia']),
    );
    for (const module of modules.slice(1)) {
      expect(module.defaults).toMatchObject({
        type: module.value,
        name: expect.any(String),
        official: expect.any(Boolean),
        configuration: expect.any(Object),
      });
    }
  });

  it('publishes PV negative by day and exactly 0 at night, with a consistent power balance', async () => {
    const day = await startSimulator(NOON);
    await day.tick();
    const dayPv = day.view.json('pv/get/power');
    expect(dayPv).toBeLessThan(-5000);
    expect(dayPv).toBeGreaterThan(-8500);
    expect(day.view.json('pv/1/get/power')).toBe(dayPv);
    expect(day.view.json('bat/get/power')).toBeGreaterThan(0); // surplus charges the battery
    expect(Number.isInteger(day.view.json('bat/get/soc'))).toBe(true);
    const pvYield = day.view.json('pv/get/exported');
    await day.tick();
    expect(day.view.json('pv/get/exported')).toBeGreaterThan(pvYield);

    const night = await startSimulator(NIGHT);
    const nightYield = night.view.json('pv/get/daily_exported');
    await night.tick();
    await night.tick();
    expect(night.view.raw('pv/get/power')).toBe('0');
    expect(night.view.raw('pv/1/get/power')).toBe('0');
    expect(night.view.json('pv/get/daily_exported')).toBe(nightYield);
    expect(night.view.json('bat/get/power')).toBeLessThan(0); // the battery covers the house at night

    for (const { view } of [day, night]) {
      const home = view.json('counter/set/home_consumption');
      expect(home).toBeGreaterThanOrEqual(300);
      expect(home).toBeLessThanOrEqual(800);
      const charging = view.json('chargepoint/3/get/power') + view.json('chargepoint/4/get/power');
      expect(view.json('chargepoint/get/power')).toBeCloseTo(charging, 1);
      // grid = home + charging + battery − production, with PV published negative
      const balance = home + charging + view.json('bat/get/power') + view.json('pv/get/power');
      expect(view.json('counter/0/get/power')).toBeCloseTo(balance, 0);
    }
  });
});

describe('openWB 2.x simulator: timer', () => {
  it('runs cycles on its own timer and stops cleanly', async () => {
    const prefix = `sim-${process.pid}-${Date.now()}-${instance++}/`;
    const view = await BrokerView.open(prefix);
    cleanups.push(() => view.close());
    const sim = await OpenWbSimulator.start({ url: BROKER_URL, topicPrefix: prefix, intervalMs: 50 });
    await view.until(() => view.heartbeats >= 4, 'three timer cycles');
    await sim.stop();
    // stop() ends the simulator's connection: what it published before is here after a fence, and no more comes.
    await brokerFence(view.client, prefix);
    const beats = view.heartbeats;
    await brokerFence(view.client, prefix);
    expect(view.heartbeats).toBe(beats);
    expect(view.json('system/time')).toBeGreaterThan(Date.now() / 1000 - 60);
  });
});

describe('openWB 2.x simulator: scenario', () => {
  it('runs plug → scan → bind → release → charge → unplug on chargepoint 3 on its cycle schedule', async () => {
    const { view, tick } = await startSimulator(NOON);
    const plugAt = SCENARIO.idleCycles;
    const scanAt = plugAt + SCENARIO.scanAfterPlugCycles;
    const unplugAt = plugAt + SCENARIO.pluggedCycles;
    const snapshots: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
    const read = (): Record<string, unknown> =>
      Object.fromEntries(
        [
          ...CHARGEPOINT_TOPICS.map((s) => `chargepoint/3/${s}`),
          'vehicle/0/get/force_soc_update',
          'vehicle/1/get/force_soc_update',
          'vehicle/1/get/soc',
        ].map((topic) => [topic.replace('chargepoint/3/', ''), view.json(topic)]),
      );
    const totals: Array<{ gridImported: number; gridExported: number; pvExported: number; batImported: number; batExported: number }> = [];
    for (let cycle = 1; cycle <= unplugAt + 1; cycle++) {
      await tick();
      snapshots[cycle] = read();
      totals.push({
        gridImported: view.json('counter/0/get/imported'),
        gridExported: view.json('counter/0/get/exported'),
        pvExported: view.json('pv/get/exported'),
        batImported: view.json('bat/get/imported'),
        batExported: view.json('bat/get/exported'),
      });
    }
    const at = (cycle: number) => snapshots[cycle]!;

    for (let cycle = 1; cycle < plugAt; cycle++) {
      expect(at(cycle)).toMatchObject({ 'get/plug_state': false, 'set/manual_lock': true, 'set/current': 0, 'get/state_str': LOCKED });
    }
    expect(at(plugAt)).toMatchObject({
      'get/plug_state': true,
      'set/manual_lock': true,
      'get/connected_vehicle/info': { id: 0, name: 'Standard-Fahrzeug' },
      'vehicle/0/get/force_soc_update': true,
      'get/state_str': LOCKED,
    });
    expect(at(scanAt)).toMatchObject({ 'get/rfid': '04A1B2C3', 'set/rfid': null, 'set/manual_lock': true });
    expect(at(scanAt)['get/rfid_timestamp']).toBeGreaterThan(0);

    expect(at(scanAt + 1)).toMatchObject({
      'get/rfid': null,
      'get/rfid_timestamp': null,
      'set/rfid': '04A1B2C3',
      'set/manual_lock': false,
      'set/current': 0,
      config: { ev: 1 },
      'get/connected_vehicle/info': { id: 1, name: 'e-Golf' },
      'get/connected_vehicle/config': { charge_template: 1, chargemode: 'instant_charging', ev_template: 1 },
      'set/charge_template': { id: 1 },
      'vehicle/1/get/force_soc_update': true,
    });
    expect(at(scanAt + 2)).toMatchObject({
      'set/current': 16,
      'get/state_str': 'Ladevorgang wird gestartet... ',
      'get/power': 0,
      'get/charge_state': false,
    });
    expect(at(scanAt + 2)['set/log']).toMatchObject({
      chargemode_log_entry: 'instant_charging',
      rfid: '04A1B2C3',
      ev: 1,
      imported_at_mode_switch: 1_250_000,
    });

    for (let cycle = scanAt + 3; cycle < unplugAt; cycle++) {
      const now = at(cycle);
      const before = at(cycle - 1);
      expect(now).toMatchObject({
        'get/charge_state': true,
        'get/currents': [16, 16, 16],
        'get/phases_in_use': 3,
        'get/state_str': 'Fahrzeug lädt.',
      });
      expect(Math.abs(now['get/power'] - 11_040)).toBeLessThan(110);
      now['get/voltages'].forEach((volts: number) => expect(Math.abs(volts - 230)).toBeLessThanOrEqual(2));
      expect(now['get/imported'] - before['get/imported']).toBeCloseTo((now['get/power'] * 10) / 3600, 1);
      expect(now['get/daily_imported']).toBeGreaterThan(before['get/daily_imported']);
      expect(now['vehicle/1/get/soc']).toBeGreaterThanOrEqual(before['vehicle/1/get/soc']);
      expect(now['set/log'].imported_since_plugged).toBeCloseTo(now['get/imported'] - 1_250_000, 1);
    }
    const charged = at(unplugAt - 1)['get/imported'] - 1_250_000;
    expect(charged).toBeGreaterThan(800);
    expect(at(unplugAt - 1)['vehicle/1/get/soc']).toBeCloseTo(42 + (charged * 0.9 * 100) / 36_000, 0);
    expect(at(unplugAt - 1)['set/log'].timestamp_start_charging).toBeGreaterThan(0);

    expect(at(unplugAt)).toMatchObject({
      'get/plug_state': false,
      'get/charge_state': false,
      'get/power': 0,
      'set/current': 16,
      'set/rfid': '04A1B2C3',
    });
    expect(at(unplugAt + 1)).toMatchObject({
      'set/current': 0,
      'set/manual_lock': true,
      'set/rfid': null,
      'get/state_str': LOCKED,
      'set/log': { chargemode_log_entry: '_', imported_since_plugged: 0, rfid: null },
    });
    expect(at(unplugAt + 1)['get/imported']).toBe(at(unplugAt - 1)['get/imported']);

    totals.slice(1).forEach((now, i) => {
      const before = totals[i]!;
      for (const key of Object.keys(now) as Array<keyof typeof now>) expect(now[key]).toBeGreaterThanOrEqual(before[key]);
      expect(now.pvExported).toBeGreaterThan(before.pvExported);
    });
  });

  it('binds a tag scanned before plug-in within 300 s and discards it afterwards', async () => {
    const { sim, view, clock, tick } = await startSimulator(NIGHT);
    await sim.plug(3, false);
    await sim.scanTag(3, '04A1B2C3');
    await view.until(() => view.raw('chargepoint/3/get/rfid') === '"04A1B2C3"', 'scanned tag');
    await tick();
    expect(view.json('chargepoint/3/get/rfid')).toBe('04A1B2C3');
    await sim.plug(3, true);
    await tick();
    expect(view.json('chargepoint/3/set/rfid')).toBe('04A1B2C3');
    expect(view.json('chargepoint/3/set/manual_lock')).toBe(false);

    await sim.plug(4, false);
    await sim.scanTag(4, '1234567890');
    await tick();
    clock.ms += 300_000;
    await tick();
    expect(view.json('chargepoint/4/get/rfid')).toBeNull();
    expect(view.json('chargepoint/4/set/rfid')).toBeNull();
    expect(view.json('chargepoint/4/set/manual_lock')).toBe(true);
  });

  it('rejects an unknown tag and unlocks only for tags of the profile access list', async () => {
    const { sim, view, tick } = await startSimulator(NIGHT);
    await sim.plug(3, true);
    await sim.scanTag(3, 'DEADBEEF');
    await tick();
    expect(view.json('chargepoint/3/get/rfid')).toBeNull();
    expect(view.json('chargepoint/3/get/state_str')).toContain('DEADBEEF');
    expect(view.json('chargepoint/3/set/manual_lock')).toBe(true);
    expect(view.json('chargepoint/3/set/rfid')).toBeNull();

    // A vehicle-assignment tag that the profile's access list lacks selects the vehicle but does not unlock.
    await view.set('vehicle/1/tag_id', '["04A1B2C3","CAFE0001"]');
    await sim.scanTag(3, 'CAFE0001');
    await tick();
    expect(view.json('chargepoint/3/set/rfid')).toBe('CAFE0001');
    expect(view.json('chargepoint/3/config').ev).toBe(1);
    expect(view.json('chargepoint/3/set/manual_lock')).toBe(true);
    await tick();
    expect(view.json('chargepoint/3/set/current')).toBe(0);
  });
});

describe('openWB 2.x simulator: set topics', () => {
  it('applies a valid lock, republishes it as bool and clears the set topic; drops invalid types', async () => {
    const { view, tick, warnings } = await startSimulator(NIGHT);
    await view.set('chargepoint/3/set/manual_lock', 'false');
    expect(view.raw('chargepoint/3/set/manual_lock')).toBe('false');
    await view.set('chargepoint/3/set/manual_lock', '1');
    expect(view.raw('chargepoint/3/set/manual_lock')).toBe('true');
    await view.set('chargepoint/3/set/manual_lock', '0');
    expect(view.raw('chargepoint/3/set/manual_lock')).toBe('false');

    const stateWrites = view.count('chargepoint/3/set/manual_lock');
    await view.set('chargepoint/3/set/manual_lock', '"yes"');
    await view.set('chargepoint/3/set/manual_lock', '2');
    await tick();
    expect(view.count('chargepoint/3/set/manual_lock')).toBe(stateWrites);
    expect(view.raw('chargepoint/3/set/manual_lock')).toBe('false');
    expect(warnings.filter((w) => w === 'Payload ungültig')).toHaveLength(2);
  });

  it('writes a chargepoint template copy through to the vehicle template and follows its charge mode', async () => {
    const { sim, view, tick } = await startSimulator(NIGHT);
    await sim.plug(3, true);
    await sim.scanTag(3, '04A1B2C3');
    await tick();
    await tick();
    expect(view.json('chargepoint/3/set/current')).toBe(16);

    const template = view.json('chargepoint/3/set/charge_template');
    expect(template.id).toBe(1);
    template.chargemode.instant_charging.current = 10;
    await view.set('chargepoint/3/set/charge_template', JSON.stringify(template));
    expect(view.json('chargepoint/3/set/charge_template').chargemode.instant_charging.current).toBe(10);
    expect(view.json('vehicle/template/charge_template/1').chargemode.instant_charging.current).toBe(10);
    await tick();
    expect(view.json('chargepoint/3/set/current')).toBe(10);
    await tick();
    expect(Math.abs(view.json('chargepoint/3/get/power') - 6900)).toBeLessThan(100);

    template.chargemode.selected = 'stop';
    await view.set('chargepoint/3/set/charge_template', JSON.stringify(template));
    expect(view.json('chargepoint/3/get/connected_vehicle/config').chargemode).toBe('instant_charging');
    await tick();
    expect(view.json('chargepoint/3/get/connected_vehicle/config').chargemode).toBe('stop');
    expect(view.json('chargepoint/3/set/current')).toBe(0);
    expect(view.json('chargepoint/3/get/state_str')).toContain('Stop');

    template.chargemode.selected = 'pv_charging';
    await view.set('chargepoint/3/set/charge_template', JSON.stringify(template));
    await tick();
    expect(view.json('chargepoint/3/set/current')).toBe(0); // no PV at night, min_current 0
    expect(view.json('chargepoint/3/get/state_str')).toContain('PV');

    await view.set('chargepoint/3/set/charge_template', '[1,2]');
    expect(view.json('chargepoint/3/set/charge_template').chargemode.selected).toBe('pv_charging');
  });

  it('charges chargepoint 4 at the Min+PV minimum by night and from the surplus by day', async () => {
    const { sim, view, clock, tick } = await startSimulator(NIGHT);
    await sim.plug(4, true);
    await sim.scanTag(4, '1234567890');
    await tick();
    await tick();
    expect(view.json('chargepoint/4/set/charge_template').chargemode.selected).toBe('pv_charging');
    expect(view.json('chargepoint/4/set/current')).toBe(6);
    await tick();
    expect(view.json('chargepoint/4/get/currents')).toEqual([6, 0, 0]);
    clock.ms = NOON;
    await tick();
    expect(view.json('chargepoint/4/set/current')).toBe(16);
  });

  it('validates the rfid, vehicle and SoC set topics like setdata', async () => {
    const { view, tick, warnings } = await startSimulator(NIGHT);
    await view.set('chargepoint/3/get/rfid', '12345678');
    expect(view.json('chargepoint/3/get/rfid')).toBeNull();
    await view.set('chargepoint/3/get/rfid', '"1234567890"');
    expect(view.raw('chargepoint/3/get/rfid')).toBe('"1234567890"');
    expect(view.json('chargepoint/3/get/rfid_timestamp')).toBeGreaterThan(0);

    await view.set('chargepoint/3/config/ev', '2');
    expect(view.json('chargepoint/3/config').ev).toBe(2);
    await view.set('chargepoint/3/config/ev', '9');
    await view.set('chargepoint/3/config/ev', '1.0');
    expect(view.json('chargepoint/3/config').ev).toBe(2);
    await tick();
    expect(view.json('chargepoint/3/get/connected_vehicle/info')).toEqual({ id: 2, name: 'ID.3' });

    await view.set('vehicle/1/soc_module/calculated_soc_state/manual_soc', '80');
    expect(view.json('vehicle/1/soc_module/calculated_soc_state').manual_soc).toBe(80);
    await view.set('vehicle/1/soc_module/calculated_soc_state/manual_soc', '120');
    await tick();
    expect(view.json('vehicle/1/get/soc')).toBe(80);
    expect(view.json('vehicle/1/soc_module/calculated_soc_state').manual_soc).toBeNull();

    await view.set('vehicle/2/get/force_soc_update', 'true');
    expect(view.json('vehicle/2/get/force_soc_update')).toBe(true);
    await tick();
    expect(view.json('vehicle/2/get/force_soc_update')).toBe(false);

    const socModule = {
      type: 'http',
      name: 'HTTP',
      official: true,
      configuration: { soc_url: 'http://car/soc', range_url: null, calculate_soc: false },
    };
    await view.set('vehicle/2/soc_module/config', JSON.stringify(socModule));
    expect(view.json('vehicle/2/soc_module/config')).toEqual(socModule);
    await view.set('vehicle/1/charge_template', '2');
    expect(view.json('vehicle/1/charge_template')).toBe(2);

    await view.set('vehicle/7/name', '"Geist"');
    expect(view.raw('vehicle/7/name')).toBeUndefined();
    await view.set('nonsense/topic', '1');
    expect(warnings).toEqual(expect.arrayContaining(['Payload ungültig', 'Unbekanntes set-Topic']));
  });

  it('leaves a set message for an unknown chargepoint on the broker, like openWB', async () => {
    const { view } = await startSimulator(NIGHT);
    await view.publishRaw('set/chargepoint/99/set/manual_lock', 'true');
    await view.set('chargepoint/3/set/manual_lock', 'false'); // processed after the first message
    expect(view.raw('set/chargepoint/99/set/manual_lock')).toBe('true');
    expect(view.raw('chargepoint/99/set/manual_lock')).toBeUndefined();
  });
});
