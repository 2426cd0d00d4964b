import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRepository } from '../../src/sessions/session-repository.ts';
import { SessionService } from '../../src/sessions/session-service.ts';
import type { Session } from '../../src/sessions/model.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import { runNode } from '../support/process.ts';
import { services, uniqueId } from '../support/services.ts';

const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/chargelog-2024-05.json', import.meta.url), 'utf8')) as { entries: unknown[] };

/** Answers getChargeLog like openWB 2.x does, and remembers what it was asked. */
async function startResponder(prefix: string) {
  const client: MqttClient = await mqtt.connectAsync(services.mqttUrl, { reconnectPeriod: 0 });
  const requests: { topic: string; payload: unknown }[] = [];
  client.on('message', (topic, payload) => {
    const clientId = topic.slice(prefix.length).split('/')[3];
    const request = JSON.parse(payload.toString()) as { command: string; data: { year: string; month: string } };
    requests.push({ topic, payload: request });
    if (request.command !== 'getChargeLog') return;
    // openWB opens data/charge_log/<year><month>.json: a month that is not two digits finds no file.
    const entries = request.data.year === '2024' && request.data.month === '05' ? FIXTURE.entries : [];
    void client.publishAsync(`${prefix}openWB/log/${clientId}/data`, JSON.stringify({ entries, totals: {} }), { qos: 1 });
  });
  await client.subscribeAsync(`${prefix}openWB/set/command/+/todo`, { qos: 1 });
  return { requests, close: () => client.endAsync() };
}

const recorded = (fields: Partial<Session> & Pick<Session, 'id' | 'chargepointId' | 'start' | 'end'>): Session => ({
  energy: 0,
  chargingMs: 0,
  meanPower: null,
  peakPower: null,
  socStart: null,
  socEnd: null,
  chargeModes: [],
  rfidTag: null,
  vehicle: null,
  userId: null,
  cost: null,
  meterStart: null,
  meterLast: null,
  source: 'recorder',
  externalKey: null,
  lastSeenAt: fields.end ?? fields.start,
  lastCharging: false,
  quality: null,
  ...fields,
});

describe.each(BOTH_DATABASES)('import chargelog on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  let responder: Awaited<ReturnType<typeof startResponder>>;
  const prefix = `${uniqueId('chargelog')}/`;
  const cli = (...args: string[]) =>
    runNode('src/cli.ts', ['import', 'chargelog', ...args], {
      DATABASE_URL: target.url,
      OPENWB_MQTT_URL: services.mqttUrl,
      OPENWB_TOPIC_PREFIX: prefix,
      TIME_ZONE: 'Europe/Berlin',
    });

  beforeAll(async () => {
    target = await makeTarget('chargelog');
    responder = await startResponder(prefix);
    const repository = new SessionRepository(target.db);
    // Sessions the recorder already has: one overlapping in time, one only in meter readings (clock skew).
    await repository.upsert(
      recorded({
        id: crypto.randomUUID(),
        chargepointId: '3',
        start: Date.parse('2024-05-23T05:00:00Z'),
        end: Date.parse('2024-05-23T06:00:05Z'),
        energy: 7925,
        meterStart: 1_282_075,
        meterLast: 1_290_000,
      }),
    );
    await repository.upsert(
      recorded({
        id: crypto.randomUUID(),
        chargepointId: '5',
        start: Date.parse('2024-05-24T20:30:00Z'),
        end: Date.parse('2024-05-24T21:30:00Z'),
        energy: 10_000,
        meterStart: 100_000,
        meterLast: 110_000,
      }),
    );
  });
  afterAll(async () => {
    await responder?.close();
    await target?.dispose();
  });

  it('imports the month once, joins mode-switch entries and skips sessions the gateway already has', async () => {
    const first = await cli('--year', '2024', '--month', '5', '--timeout', '5');
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(
      '7 entries → 5 sessions (1 entries joined at a charge-mode switch, 1 unreadable); imported 3, already known 2.',
    );
    expect(first.code).toBe(0);
    expect(responder.requests).toHaveLength(1);
    const [request] = responder.requests;
    expect(request!.topic).toMatch(new RegExp(`^${prefix}openWB/set/command/owg-import-[0-9a-f]{8}/todo$`));
    expect(request!.payload).toEqual({
      command: 'getChargeLog',
      data: { year: '2024', month: '05', filter: { chargepoint: { id: [] }, vehicle: { id: [], tag: [], chargemode: [] } } },
    });

    const again = await cli('--year', '2024', '--month', '5', '--timeout', '5');
    expect(again.stdout).toContain('imported 0, already known 5.');

    const service = new SessionService(new SessionRepository(target.db), { timeZone: 'Europe/Berlin', currency: 'EUR' });
    const { items } = await service.list({ from: '2024-05-01', to: '2024-06-01', sort: 'start' });
    expect(items.map((s) => [s.chargepointId, s.start])).toEqual([
      ['3', '2024-05-20T10:00:40.000Z'],
      ['3', '2024-05-21T16:00:00.000Z'],
      ['4', '2024-05-22T06:00:00.000Z'],
      ['3', '2024-05-23T05:00:00.000Z'], // the recorder's own
      ['5', '2024-05-24T20:30:00.000Z'], // the recorder's own
    ]);
    expect(items[0]).toEqual({
      id: expect.any(String),
      chargepointId: '3',
      start: '2024-05-20T10:00:40.000Z',
      end: '2024-05-20T12:05:10.000Z',
      energy: 22080,
      chargingTime: 7200,
      meanPower: 11040,
      peakPower: null,
      socStart: 40,
      socEnd: 76,
      chargeModes: ['instant'],
      rfidTag: '04A1B2C3',
      vehicle: { id: '1', name: 'e-Golf' },
      user: null,
      cost: 6.62,
      quality: null, // openWB's figures: the gateway never saw the meter readings
      correction: null,
    });
    // 2.1.4-style entry: no SoC, no exported fields, no tag.
    expect(items[1]).toMatchObject({
      energy: 10000,
      chargingTime: 5100,
      socStart: null,
      socEnd: null,
      rfidTag: null,
      chargeModes: ['pv'],
      cost: 2,
    });
    // Two entries of one plug-in (PV, then instant after a mode switch) are one session.
    expect(items[2]).toMatchObject({
      end: '2024-05-22T08:00:00.000Z',
      energy: 12000,
      chargingTime: 6000,
      socStart: 20,
      socEnd: 55,
      chargeModes: ['pv', 'instant'],
      rfidTag: '11223344',
      vehicle: { id: '2', name: 'Zoe' },
      cost: 3.1,
    });
    expect(items[2]!.meanPower).toBeCloseTo(12000 / (5000 / 5000 + 7000 / 10500), 1);
  });

  it('fails clearly when openWB does not answer', async () => {
    const result = await runNode('src/cli.ts', ['import', 'chargelog', '--year', '2024', '--month', '5', '--timeout', '1'], {
      DATABASE_URL: target.url,
      OPENWB_MQTT_URL: services.mqttUrl,
      OPENWB_TOPIC_PREFIX: `${uniqueId('silent')}/`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('openWB did not answer getChargeLog within 1 s');
    const bad = await runNode('src/cli.ts', ['import', 'chargelog', '--year', '2024', '--month', '13'], {
      DATABASE_URL: target.url,
      OPENWB_MQTT_URL: services.mqttUrl,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--month must be a whole number from 1 to 12');
  });
});
