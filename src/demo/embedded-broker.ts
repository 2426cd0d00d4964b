import { createServer, type AddressInfo } from 'node:net';

export interface EmbeddedBroker {
  url: string;
  close(): Promise<void>;
}

/** An in-process MQTT broker (aedes) on loopback, for demo mode. Port 0 picks a free port. */
export async function startEmbeddedBroker(port: number): Promise<EmbeddedBroker> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
