import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';

/** Topics of fences, under a prefix; subscribers of `<prefix>openWB/#` never see them. */
export const isFence = (topic: string, prefix: string) => topic.startsWith(`${prefix}test-fence/`);

/**
 * Resolves once a message this client publishes now has come back to it. The broker delivers a client's
 * messages in the order it handled them, so by then the client has everything the broker had received
 * before: the positive signal that "nothing else arrived" can be asserted on.
 */
export async function brokerFence(client: MqttClient, prefix: string): Promise<void> {
  const topic = `${prefix}test-fence/${randomUUID()}`;
  const arrived = new Promise<void>((resolve) => {
    const onMessage = (received: string) => {
      if (received !== topic) return;
      client.off('message', onMessage);
      resolve();
    };
    client.on('message', onMessage);
  });
  // QoS 2 both ways: mqtt.js hands over a QoS 2 message only when it is released, so a lower QoS fence could overtake one.
  await client.subscribeAsync(topic, { qos: 2 });
  await client.publishAsync(topic, 'fence', { qos: 2 });
  await arrived;
  await client.unsubscribeAsync(topic);
}
