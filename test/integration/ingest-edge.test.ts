import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openPublisher, startTestGateway, type TestGateway, type Publisher } from '../support/gateway.ts';
import { PrivateMosquitto } from '../support/mosquitto-server.ts';

async function listedIds(gw: TestGateway, path: '/api/v1/chargepoints' | '/api/v1/vehicles'): Promise<string[]> {
  const res = await gw.http.get(path).set('x-api-key', gw.readKey).expect(200);
  return (res.body.items as { id: string }[]).map((item) => item.id);
}

async function refusedByReason(gw: TestGateway): Promise<Record<string, number>> {
  const res = await gw.http.get('/metrics').set('x-api-key', gw.adminKey).expect(200);
  const counts: Record<string, number> = {};
  for (const [, reason, value] of res.text.matchAll(/^openwb_mqtt_refused_total\{reason="([^"]+)"\} (\d+)$/gm)) {
    counts[reason!] = Number(value);
  }
  return counts;
}

async function chargepoint(gw: TestGateway, id: string) {
  return (await gw.http.get(`/api/v1/chargepoints/${id}`).set('x-api-key', gw.readKey)).body;
}

describe('every openWB input bounded at the edge of ingest (real broker, real Redis)', () => {
  let gw: TestGateway;
  let publisher: Publisher;

  beforeAll(async () => {
    gw = await startTestGateway();
    publisher = await openPublisher(gw.topicPrefix);
    await publisher.publish('openWB/system/version', '"2.2.2"');
    await publisher.publish('openWB/chargepoint/3/get/power', '11040');
    await publisher.publish('openWB/chargepoint/3/get/imported', '1250000');
    await publisher.publish('openWB/chargepoint/3/get/state_str', '"Fahrzeug lädt."');
    await publisher.publish('openWB/chargepoint/3/get/plug_state', 'true');
    await publisher.publish('openWB/chargepoint/3/set/rfid', '"04A1B2C3"');
    await publisher.publish('openWB/vehicle/1/name', '"e-Golf"');
    await publisher.publish('openWB/vehicle/1/get/soc', '55');
    await eventually(async () => ((await chargepoint(gw, '3')).rfidTag === '04A1B2C3' ? true : undefined), 5_000, 'the good values');
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it('refuses bad ids, strings and numbers, counts each by reason and keeps serving the last good values', async () => {
    const before = await refusedByReason(gw);
    const bad: [string, string | Buffer][] = [
      ['openWB/chargepoint/1234567890123456789012345678901234567890/get/power', '100'],
      ['openWB/chargepoint/00003/get/power', '5'],
      ['openWB/chargepoint/abc/get/power', '5'],
      ['openWB/chargepoint/-1/get/power', '5'],
      ['openWB/chargepoint/3.5/get/power', '5'],
      ['openWB/chargepoint/3/set/rfid', JSON.stringify('T'.repeat(250))],
      ['openWB/chargepoint/3/get/state_str', JSON.stringify('x'.repeat(1_000_000))],
      ['openWB/chargepoint/3/get/imported', '1e308'],
      ['openWB/chargepoint/3/get/imported', '1e999'],
      ['openWB/vehicle/1/get/soc', '101'],
      ['openWB/vehicle/1/name', Buffer.from([0x22, 0x65, 0xff, 0xfe, 0x22])],
      ['openWB/chargepoint/3/get/power', '"lots"'],
    ];
    for (const [topic, payload] of bad) await publisher.client.publishAsync(gw.topicPrefix + topic, payload, { qos: 1 });
    // Messages of one connection arrive in order: once this good value is served, every bad one was handled.
    await publisher.publish('openWB/chargepoint/3/get/daily_imported', '4242');
    await eventually(async () => ((await chargepoint(gw, '3')).energyToday === 4242 ? true : undefined), 5_000, 'the sentinel');

    const after = await refusedByReason(gw);
    const delta = Object.fromEntries(Object.entries(after).map(([reason, count]) => [reason, count - (before[reason] ?? 0)]));
    expect(delta).toEqual({
      'invalid-id': 5,
      'too-long': 2,
      'out-of-range': 2,
      'not-finite': 1,
      'invalid-utf8': 1,
      'invalid-payload': 1,
    });

    expect(await chargepoint(gw, '3')).toMatchObject({
      power: 11040,
      energyImported: 1250000,
      statusText: 'Fahrzeug lädt.',
      rfidTag: '04A1B2C3',
    });
    const vehicle = await gw.http.get('/api/v1/vehicles/1').set('x-api-key', gw.readKey).expect(200);
    expect(vehicle.body).toMatchObject({ name: 'e-Golf', soc: 55 });
    expect(await listedIds(gw, '/api/v1/chargepoints')).toEqual(['3']);
    expect(await listedIds(gw, '/api/v1/vehicles')).toEqual(['1']);
    const system = await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey).expect(200);
    expect(system.body.broker.decodeErrors).toBeGreaterThanOrEqual(bad.length);
  });
});

describe('retirement of components openWB removed or stopped publishing', () => {
  let gw: TestGateway;
  let publisher: Publisher;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { RETIRE_AFTER_S: '1' } });
    publisher = await openPublisher(gw.topicPrefix);
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it('retires a ghost chargepoint that published once while openWB keeps publishing the others', async () => {
    await publisher.publish('openWB/chargepoint/3/get/power', '11040', false);
    await publisher.publish('openWB/chargepoint/999999/get/power', '100', false);
    await publisher.publish('openWB/chargepoint/999999/get/state_str', '"ghost"', false);
    await eventually(async () => ((await listedIds(gw, '/api/v1/chargepoints')).length === 2 ? true : undefined), 5_000, 'both listed');

    let power = 11040;
    await eventually(
      async () => {
        await publisher.publish('openWB/chargepoint/3/get/power', String(++power), false);
        const ids = await listedIds(gw, '/api/v1/chargepoints');
        return ids.length === 1 ? ids : undefined;
      },
      10_000,
      'the ghost to be retired',
    );
    expect(await listedIds(gw, '/api/v1/chargepoints')).toEqual(['3']);
    await gw.http.get('/api/v1/chargepoints/999999').set('x-api-key', gw.readKey).expect(404);
    const metrics = await gw.http.get('/metrics').set('x-api-key', gw.adminKey).expect(200);
    expect(metrics.text).toMatch(/^openwb_components_retired_total [1-9]/m);
  });

  it('retires a ghost stored before a restart once the new instance hears openWB without it', async () => {
    const before = await startTestGateway({
      topicPrefix: gw.topicPrefix,
      redisKeyPrefix: gw.redisKeyPrefix.replace(/:$/, 'r:'),
      env: { RETIRE_AFTER_S: '600' },
    });
    try {
      await eventually(
        async () => {
          await publisher.publish('openWB/chargepoint/777777/get/power', '100', false);
          return (await listedIds(before, '/api/v1/chargepoints')).includes('777777') ? true : undefined;
        },
        5_000,
        'the ghost stored',
      );
    } finally {
      await before.close();
    }
    const after = await startTestGateway({
      topicPrefix: gw.topicPrefix,
      redisKeyPrefix: before.redisKeyPrefix,
      env: { RETIRE_AFTER_S: '1' },
    });
    try {
      expect(await listedIds(after, '/api/v1/chargepoints')).toContain('777777');
      let power = 0;
      await eventually(
        async () => {
          await publisher.publish('openWB/chargepoint/3/get/power', String(++power), false);
          return (await listedIds(after, '/api/v1/chargepoints')).includes('777777') ? undefined : true;
        },
        10_000,
        'the stored ghost to be retired',
      );
    } finally {
      await after.close();
    }
  });

  it('drops a chargepoint and a vehicle that openWB removes with empty retained payloads', async () => {
    await publisher.publish('openWB/chargepoint/5/get/power', '0');
    await publisher.publish('openWB/chargepoint/5/get/plug_state', 'false');
    await publisher.publish('openWB/vehicle/2/name', '"Zoe"');
    await publisher.publish('openWB/vehicle/2/get/soc', '40');
    await eventually(async () => ((await listedIds(gw, '/api/v1/vehicles')).includes('2') ? true : undefined), 5_000, 'vehicle 2');
    expect(await listedIds(gw, '/api/v1/chargepoints')).toContain('5');

    for (const topic of ['chargepoint/5/get/power', 'chargepoint/5/get/plug_state', 'vehicle/2/name', 'vehicle/2/get/soc']) {
      await publisher.publish(`openWB/${topic}`, '');
    }
    await eventually(
      async () => {
        const [cps, vehicles] = [await listedIds(gw, '/api/v1/chargepoints'), await listedIds(gw, '/api/v1/vehicles')];
        return !cps.includes('5') && !vehicles.includes('2') ? true : undefined;
      },
      5_000,
      'chargepoint 5 and vehicle 2 to leave the lists',
    );
    await gw.http.get('/api/v1/vehicles/2').set('x-api-key', gw.readKey).expect(404);
  });
});

describe('fast recovery after a broker outage (own Mosquitto, killed and restarted on the same port)', () => {
  // 10 s takes the back-off to its cap (0.25 s doubling to 3 s); BROKER_OUTAGE_S=33 repeats the reported case.
  const OUTAGE_MS = Number(process.env.BROKER_OUTAGE_S ?? '10') * 1000;
  let broker: PrivateMosquitto;
  let gw: TestGateway;
  let openwb: MqttClient;
  let power = 1111;
  let ticker: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    broker = await PrivateMosquitto.start();
    gw = await startTestGateway({ env: { OPENWB_MQTT_URL: broker.url } });
    // Stands in for openWB, which republishes chargepoint values every cycle and reconnects at once.
    openwb = await mqtt.connectAsync(broker.url, { reconnectPeriod: 50 });
    openwb.on('error', () => undefined);
    ticker = setInterval(() => {
      if (openwb.connected) openwb.publish(`${gw.topicPrefix}openWB/chargepoint/3/get/power`, String(power), { qos: 0 });
    }, 100);
  });

  afterAll(async () => {
    clearInterval(ticker);
    await openwb?.endAsync(true);
    await gw?.close();
    await broker?.close();
  });

  it('serves fresh values within 5 s after the broker is back', { timeout: OUTAGE_MS + 30_000 }, async () => {
    await eventually(async () => ((await chargepoint(gw, '3')).power === 1111 ? true : undefined), 5_000, 'the first value');
    await broker.kill();
    await eventually(
      async () => ((await gw.http.get('/api/v1/system').set('x-api-key', gw.readKey)).body.broker.connected === false ? true : undefined),
      5_000,
      'the gateway to notice the outage',
    );
    // The outage itself is the scenario: its length is what grew the old back-off.
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    power = 2222;
    await broker.start();
    const backAt = Date.now();
    await eventually(
      async () => {
        const cp = await chargepoint(gw, '3');
        return cp.power === 2222 && cp.stale === false ? true : undefined;
      },
      10_000,
      'a fresh value after the outage',
    );
    const secondsUntilFresh = (Date.now() - backAt) / 1000;
    process.stderr.write(`broker outage ${OUTAGE_MS / 1000} s: fresh ${secondsUntilFresh.toFixed(2)} s after the broker was back\n`);
    expect(secondsUntilFresh).toBeLessThanOrEqual(5);
  });
});
