import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';

/** openWB 1.9 publishes plain-text payloads (§6.2 step 3: lp 1 charging). */
const MESSAGES: [string, string][] = [
  ['openWB/system/Version', '1.9.304.0'],
  ['openWB/system/Timestamp', '1716200040'],
  ['openWB/global/ChargeMode', '1'],
  ['openWB/lp/1/strChargePointName', 'Garage'],
  ['openWB/lp/1/W', '11040'],
  ['openWB/lp/1/APhase1', '16.0'],
  ['openWB/lp/1/APhase2', '16.0'],
  ['openWB/lp/1/APhase3', '15.9'],
  ['openWB/lp/1/VPhase1', '230'],
  ['openWB/lp/1/VPhase2', '231'],
  ['openWB/lp/1/VPhase3', '229'],
  ['openWB/lp/1/countPhasesInUse', '3'],
  ['openWB/lp/1/kWhCounter', '1250.031'],
  ['openWB/lp/1/kWhDailyCharged', '8.52'],
  ['openWB/lp/1/boolPlugStat', '1'],
  ['openWB/lp/1/boolChargeStat', '1'],
  ['openWB/lp/1/ChargePointEnabled', '1'],
  ['openWB/lp/1/AConfigured', '16'],
  ['openWB/lp/1/%Soc', '55'],
  ['openWB/lp/1/lastRfId', '04A1B2C3'],
  ['openWB/lp/1/faultState', '0'],
  ['openWB/lp/1/faultStr', 'Kein Fehler'],
  ['openWB/evu/W', '-1520'],
  ['openWB/evu/WhImported', '4567890.1'],
  ['openWB/evu/WhExported', '20152'],
  ['openWB/pv/W', '-5230'],
  ['openWB/pv/WhCounter', '12345678'],
  ['openWB/pv/DailyYieldKwh', '18.45'],
  ['openWB/housebattery/W', '-1200'],
  ['openWB/housebattery/%Soc', '78'],
  ['openWB/global/WHouseConsumption', '480'],
];

describe('openWB 1.9 (plain text, auto-detected) through a real broker into the API', () => {
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    gw = await startTestGateway({ store: 'redis', env: { STALE_AFTER_S: '2' } });
    publisher = await openPublisher(gw.topicPrefix);
    for (const [topic, value] of MESSAGES) await publisher.publish(topic, value);
    await eventually(async () => {
      const res = await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey);
      return res.body?.home?.power === 480 ? true : undefined;
    });
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it('serves lp 1 with units converted and the global charge mode', async () => {
    const res = await gw.http.get('/api/v1/chargepoints/1').set('x-api-key', gw.readKey).expect(200);
    expect(res.body).toMatchObject({
      id: '1',
      name: 'Garage',
      power: 11040,
      currents: [16, 16, 15.9],
      voltages: [230, 231, 229],
      phasesInUse: 3,
      energyImported: 1250031,
      energyToday: 8520,
      plugged: true,
      charging: true,
      locked: false,
      setCurrent: 16,
      chargeMode: 'minPv',
      rfidTag: '04A1B2C3',
      vehicle: { id: null, name: null, soc: 55 },
      fault: { state: 'ok', message: 'Kein Fehler' },
      stale: false,
    });
    const system = await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey).expect(200);
    expect(system.body.openwb).toMatchObject({ generation: '1.9', version: '1.9.304.0' });
  });

  it('serves the site with PV flipped positive and battery discharging negative', async () => {
    const res = await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey).expect(200);
    expect(res.body).toMatchObject({
      grid: { power: -1520, energyImported: 4567890.1, energyExported: 20152 },
      pv: { power: 5230, energyTotal: 12345678, energyToday: 18450 },
      battery: { power: -1200, soc: 78 },
      home: { power: 480 },
    });
    const vehicles = await gw.http.get('/api/v1/vehicles').set('x-api-key', gw.readKey).expect(200);
    expect(vehicles.body.items).toEqual([]);
  });

  it('keeps unchanged 1.9 values fresh while the heartbeat is, and marks them stale when it stops', async () => {
    // STALE_AFTER_S=2: heartbeats keep lp 1 fresh although its own values never change, past the stale window.
    const lp1Since = Date.now();
    for (let i = 0; Date.now() - lp1Since < 2_500; i++) {
      const sent = Date.now();
      await publisher.publish('openWB/system/Timestamp', String(1716200041 + i), false);
      await eventually(async () => ((gw.gateway.ingest.snapshot().lastMessageAt ?? 0) >= sent ? true : undefined));
      await gw.gateway.ingest.drained();
    }
    const fresh = await gw.http.get('/api/v1/chargepoints/1').set('x-api-key', gw.readKey).expect(200);
    expect(fresh.body.stale).toBe(false);
    expect(Date.now() - Date.parse(fresh.body.updatedAt)).toBeGreaterThan(2_000);

    const stale = await eventually(
      async () => {
        const res = await gw.http.get('/api/v1/chargepoints/1').set('x-api-key', gw.readKey);
        return res.body.stale === true ? res : undefined;
      },
      6_000,
      'stale',
    );
    expect(stale.body.power).toBe(11040);
  });
});
