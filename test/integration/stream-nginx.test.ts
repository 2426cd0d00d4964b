/** The live stream through the repository's nginx.conf in a real nginx: TLS and the WebSocket upgrade. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPublisher, startTestGateway, type TestGateway } from '../support/gateway.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';
import { openStream } from '../support/stream-client.ts';

describe('the live stream through nginx with TLS', () => {
  let gw: TestGateway;
  let nginx: RunningNginx;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;

  beforeAll(async () => {
    gw = await startTestGateway();
    const upstream = new URL(gw.gateway.url).host;
    nginx = await startNginx({ gateway: upstream, stream: upstream });
    publisher = await openPublisher(gw.topicPrefix);
  });

  afterAll(async () => {
    await publisher?.close();
    await nginx?.stop();
    await gw?.close();
  });

  it('upgrades wss:// to the stream, authenticated, and passes each change on at once', async () => {
    const client = await openStream(`https://127.0.0.1:${nginx.httpsPort}`, { headers: { 'x-api-key': gw.readKey }, ca: nginx.ca });
    await client.next((m) => m.type === 'snapshot');
    await publisher.publish('openWB/chargepoint/3/get/power', '4200');
    const changed = await client.next((m) => m.type === 'changed' && m.id === '3');
    expect(changed).toMatchObject({ fields: { power: { value: 4200 } } });
    expect(client.violations).toEqual([]);
    client.ws.terminate();
    await expect(openStream(`https://127.0.0.1:${nginx.httpsPort}`, { ca: nginx.ca })).rejects.toThrow('refused: 401');
  });
});
