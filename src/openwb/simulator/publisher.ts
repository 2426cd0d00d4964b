import type { MqttClient } from 'mqtt';
import type { Message } from './topics.ts';

/** Module readings openWB republishes every cycle even when unchanged; everything else only on change. */
const EVERY_CYCLE =
  /^openWB\/(?:system\/time|(?:chargepoint|counter|pv|bat)\/\d+\/get\/(?:power|powers|currents|voltages|power_factors|frequency|phases_in_use|imported|exported|plug_state|charge_state|evse_current|max_evse_current|soc|fault_state|fault_str))$/;

export class TopicPublisher {
  private readonly client: MqttClient;
  private readonly prefix: string;
  private readonly sent = new Map<string, string>();

  constructor(client: MqttClient, prefix: string) {
    this.client = client;
    this.prefix = prefix;
  }

  /** Publishes retained JSON, QoS 0, in order; resolves once every packet is written to the socket. */
  async publish(messages: readonly Message[], mode: 'all' | 'changed' = 'changed'): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const [topic, value] of messages) {
      const payload = JSON.stringify(value);
      if (mode === 'changed' && this.sent.get(topic) === payload && !EVERY_CYCLE.test(topic)) continue;
      this.sent.set(topic, payload);
      pending.push(this.client.publishAsync(this.prefix + topic, payload, { qos: 0, retain: true }));
    }
    await Promise.all(pending);
  }

  /** Deletes a retained message; `topic` is the full topic as received, prefix included. */
  async clear(topic: string): Promise<void> {
    await this.client.publishAsync(topic, '', { qos: 0, retain: true });
  }
}
