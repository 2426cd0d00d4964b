import type { MqttClient } from 'mqtt';
import { UnavailableError } from '../errors.ts';
import { refusal } from './allow-list.ts';
import type { OutgoingMessage } from './model.ts';

/** The narrow port through which commands reach openWB: allow-listed topics only. */
export interface CommandPublisher {
  /** Resolves once the broker has the message (QoS ≥ 1); throws when it is not allowed or the broker is away. */
  publish(message: OutgoingMessage): Promise<void>;
}

export class DisallowedPublishError extends Error {}

/**
 * Publishes on the MQTT connection the gateway opens for commands alone. Not retained: openWB processes a
 * set topic when it arrives; a retained one would still be applied after the command timed out (openWB
 * offline) or linger for ever (an unknown id), surprising whoever looks later. QoS 1 or 2 (COMMAND_QOS) so the broker acknowledges it.
 */
export class MqttCommandPublisher implements CommandPublisher {
  constructor(
    private readonly client: MqttClient,
    private readonly options: { topicPrefix: string; qos: 1 | 2 },
  ) {}

  async publish(message: OutgoingMessage): Promise<void> {
    const problem = refusal(message.topic, message.payload);
    if (problem) throw new DisallowedPublishError(`refused to publish: ${problem}`);
    if (!this.client.connected) throw new UnavailableError('The gateway is not connected to the openWB broker right now');
    await this.client.publishAsync(this.options.topicPrefix + message.topic, message.payload, { qos: this.options.qos, retain: false });
  }
}
