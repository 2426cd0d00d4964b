import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../fixtures/openwb-v2-charging.ts';
import { eventually, openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';

describe.each(['redis', 'memory'] as const)('openWB 2.x through a real broker into the %s live store and out of the API', (store) => {
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    gw = await startTestGateway({ store });
    publisher = await openPublisher(gw.topicPrefix);
    for (const [topic, value] of MESSAGES) await publisher.publish(topic, JSON.stringify(value));
    await eventually(
      async () => {
        const res = await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey);
        return res.body?.home?.energyToday === 6120 ? true : undefined;
      },
      5_000,
      'the last published value to arrive',
    );
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it('serves the chargepoint with every value normalised', async () => {
    const res = await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      id: '3',
      name: 'Garage',
      power: 11040,
      currents: [16, 16, 16],
      voltages: [230.1, 229.8, 231],
      phasesInUse: 3,
      energyImported: 1250030.67,
      energyExported: 0,
      energyToday: 8520,
      plugged: true,
      charging: true,
      locked: false,
      setCurrent: 16,
      chargeMode: 'minPv',
      rfidTag: '04A1B2C3',
      vehicle: { id: '1', name: 'e-Golf', soc: 55 },
      fault: { state: 'ok', message: 'Kein Fehler.' },
      statusText: 'Fahrzeug lädt.',
      stale: false,
    });
    expect(Date.now() - Date.parse(res.body.updatedAt)).toBeLessThan(10_000);
  });

  it('lists chargepoints and vehicles', async () => {
    const cps = await gw.http.get('/api/v1/chargepoints').set('x-api-key', gw.readKey).expect(200);
    expect(cps.body.items.map((cp: { id: string }) => cp.id)).toEqual(['3']);
    const vehicles = await gw.http.get('/api/v1/vehicles').set('x-api-key', gw.readKey).expect(200);
    expect(vehicles.body.items).toEqual([
      expect.objectContaining({ id: '1', name: 'e-Golf', soc: 55, range: 210.5, socUpdatedAt: '2024-05-20T10:13:20.000Z', stale: false }),
    ]);
    await gw.http.get('/api/v1/vehicles/1').set('x-api-key', gw.readKey).expect(200);
  });

  it('serves the site with our sign conventions (PV positive while producing)', async () => {
    const res = await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey).expect(200);
    expect(res.body).toMatchObject({
      grid: { power: 1520.5, energyImported: 4567890.1, energyExported: 20152, stale: false },
      pv: { power: 5230, energyToday: 18450, energyTotal: 12345678.123, stale: false },
      battery: { power: 1500, soc: 78, energyImported: 2551.98, energyExported: 2506.76, stale: false },
      home: { power: 480, energyToday: 6120, stale: false },
    });
  });

  it('reports the detected generation, version and broker state', async () => {
    const res = await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey).expect(200);
    expect(res.body.openwb).toMatchObject({ generation: '2', configuredGeneration: 'auto', version: '2.2.2' });
    expect(res.body.openwb.lastHeartbeatAt).not.toBeNull();
    expect(res.body.broker.connected).toBe(true);
    expect(res.body.broker.messagesReceived).toBeGreaterThanOrEqual(MESSAGES.length);
    expect(res.body.gateway.liveStore).toBe(store);
  });

  it('drops bad payloads, counts them, and keeps the stored value', async () => {
    const before = (await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey)).body.broker.decodeErrors;
    await publisher.publish('openWB/chargepoint/3/get/power', '{not json', false);
    await publisher.publish('openWB/chargepoint/3/get/currents', '[16,16]', false);
    await publisher.publish('openWB/chargepoint/3/get/plug_state', '"maybe"', false);
    await eventually(
      async () => {
        const res = await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey);
        return res.body.broker.decodeErrors === before + 3 ? true : undefined;
      },
      5_000,
      'three decode errors',
    );
    const cp = await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey).expect(200);
    expect(cp.body).toMatchObject({ power: 11040, currents: [16, 16, 16], plugged: true });
  });

  it('tells listeners about each batch once it is in the live store', async () => {
    const seen: unknown[] = [];
    const unsubscribe = gw.gateway.ingest.onApplied((updates) => {
      for (const u of updates) if (u.kind === 'chargepoint' && u.field === 'setCurrent') seen.push(u.value);
    });
    await publisher.publish('openWB/chargepoint/3/set/current', '13', false);
    await eventually(async () => (seen.includes(13) ? true : undefined), 5_000, 'the listener');
    const cp = await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey).expect(200);
    expect(cp.body.setCurrent).toBe(13);
    unsubscribe();
  });

  it('forgets a value when openWB deletes its retained topic (empty payload)', async () => {
    await publisher.publish('openWB/chargepoint/3/set/rfid', '');
    await eventually(
      async () => {
        const res = await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey);
        return res.body.rfidTag === null ? true : undefined;
      },
      5_000,
      'rfidTag to be deleted',
    );
  });
});
