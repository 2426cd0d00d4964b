/** Shared by the control, vehicle, profile and RFID suites: a spy on openWB's set topics and a few shortcuts. */
import mqtt, { type MqttClient } from 'mqtt';
import { expect } from 'vitest';
import type { TestGateway } from '../support/gateway.ts';
import { eventually } from '../support/gateway.ts';
import { brokerFence, isFence } from '../support/mqtt-fence.ts';
import { services } from '../support/services.ts';

export interface Published {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
}

/** What a spy has received since its mark, once the broker has delivered everything it had. */
export type Since = () => Promise<Published[]>;

/** Everything published under `<prefix>openWB/set/#` and `<prefix>openWB/config/set/#` except the clears. */
export class SetTopicSpy {
  readonly messages: Published[] = [];

  private constructor(
    private readonly client: MqttClient,
    private readonly prefix: string,
  ) {}

  static async open(prefix: string): Promise<SetTopicSpy> {
    const client = await mqtt.connectAsync(services.mqttUrl, { reconnectPeriod: 0 });
    const spy = new SetTopicSpy(client, prefix);
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString('utf8');
      if (text === '' || isFence(topic, prefix)) return;
      spy.messages.push({ topic: topic.slice(prefix.length), payload: text, retain: packet.retain, qos: packet.qos });
    });
    await client.subscribeAsync([`${prefix}openWB/set/#`, `${prefix}openWB/config/set/#`], { qos: 2 });
    return spy;
  }

  /**
   * Messages published from now on. The spy may get a message after the command that sent it was
   * answered, so both ends wait until what the broker had received has arrived.
   */
  async mark(): Promise<Since> {
    await brokerFence(this.client, this.prefix);
    const start = this.messages.length;
    return async () => {
      await brokerFence(this.client, this.prefix);
      return this.messages.slice(start);
    };
  }

  /** Asserts that nothing was published since `since`. */
  async expectNothingSince(since: Since): Promise<void> {
    expect(await since()).toEqual([]);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** A retained-state reader for one prefix (what a client of openWB's broker sees). */
export async function retained(prefix: string, topic: string): Promise<string | undefined> {
  const client = await mqtt.connectAsync(services.mqttUrl, { reconnectPeriod: 0 });
  try {
    let value: string | undefined;
    client.on('message', (received, payload) => {
      if (received === prefix + topic) value = payload.toString('utf8');
    });
    await client.subscribeAsync(prefix + topic, { qos: 0 });
    // A retained copy comes right after the subscription, so before the fence.
    await brokerFence(client, prefix);
    return value;
  } finally {
    await client.endAsync();
  }
}

export const put = (gw: TestGateway, path: string, body: object, key = gw.adminKey) => gw.http.put(path).set('x-api-key', key).send(body);
export const post = (gw: TestGateway, path: string, key = gw.adminKey) => gw.http.post(path).set('x-api-key', key);
export const get = (gw: TestGateway, path: string, key = gw.adminKey) => gw.http.get(path).set('x-api-key', key);

/** Waits until the gateway knows the entity (openWB has published it). */
export async function known(gw: TestGateway, path: string): Promise<void> {
  await eventually(async () => ((await get(gw, path)).status === 200 ? true : undefined), 5_000, path);
}

/**
 * An openWB 2.x that answers charge-template and lock set topics like setdata.py, but only after `delayMs`
 * (a busy openWB): long enough for a second command to start before the first is visible.
 */
export async function startSlowOpenWb(
  prefix: string,
  chargepointId: string,
  template: object,
  delayMs: number,
): Promise<{ close(): Promise<void> }> {
  const client = await mqtt.connectAsync(services.mqttUrl, { reconnectPeriod: 0 });
  const state = (suffix: string) => `${prefix}openWB/chargepoint/${chargepointId}/${suffix}`;
  const retainedTopics = [`${prefix}openWB/system/version`, state('set/charge_template'), state('set/manual_lock'), state('get/power')];
  await client.publishAsync(`${prefix}openWB/system/version`, '"2.2.2"', { retain: true, qos: 1 });
  await client.publishAsync(state('set/charge_template'), JSON.stringify(template), { retain: true, qos: 1 });
  await client.publishAsync(state('set/manual_lock'), 'false', { retain: true, qos: 1 });
  await client.publishAsync(state('get/power'), '0', { retain: true, qos: 1 });
  client.on('message', (topic, payload) => {
    if (payload.length === 0) return;
    setTimeout(() => {
      const stateTopic = topic.replace(`${prefix}openWB/set/`, `${prefix}openWB/`);
      void client
        .publishAsync(stateTopic, payload, { retain: true, qos: 1 })
        .then(() => client.publishAsync(topic, '', { retain: true, qos: 1 }));
    }, delayMs);
  });
  await client.subscribeAsync([`${prefix}openWB/set/chargepoint/${chargepointId}/set/+`], { qos: 1 });
  return {
    async close() {
      for (const topic of retainedTopics) await client.publishAsync(topic, '', { retain: true, qos: 1 });
      await client.endAsync();
    },
  };
}
