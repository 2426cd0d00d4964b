/**
 * Child process for bench/stream.ts: the bare fan-out, a baseline for the gateway's stream. A plain `ws`
 * server (no authentication, no live store) that subscribes to the same MQTT topic and sends each payload,
 * in a frame shaped like the stream's `changed` message with a per-connection `seq`, to every client. What it
 * costs is what any Node process pays to write one frame to N sockets on this machine.
 *
 * IPC: child → parent { type: 'ready', port }; parent → child { type: 'fan-out' } is answered with
 * { type: 'fan-out', seconds, count }: the time its send loops took so far (as stream_fanout_duration_seconds
 * times the gateway's). BENCH_BARE (JSON): { brokerUrl, topic }.
 */
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import mqtt from 'mqtt';
import { WebSocketServer, type WebSocket } from 'ws';

const config = JSON.parse(process.env.BENCH_BARE ?? '{}') as { brokerUrl: string; topic: string };
const server = createHttpServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server });
const seqs = new Map<WebSocket, number>();
const fanOut = { seconds: 0, count: 0 };
wss.on('connection', (ws) => {
  seqs.set(ws, 1);
  ws.send('{"seq":1,"type":"snapshot"}');
  ws.on('close', () => seqs.delete(ws));
});
const client = await mqtt.connectAsync(config.brokerUrl, { reconnectPeriod: 0, clean: true });
client.on('message', (_topic, payload) => {
  const json = `"type":"changed","kind":"chargepoint","id":"1","fields":{"power":{"value":${payload.toString()},"updatedAt":"${new Date().toISOString()}"}}}`;
  const started = performance.now();
  for (const [ws, seq] of seqs) {
    seqs.set(ws, seq + 1);
    ws.send(`{"seq":${seq + 1},${json}`);
  }
  fanOut.seconds += (performance.now() - started) / 1000;
  fanOut.count++;
});
await client.subscribeAsync(config.topic, { qos: 0 });
server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port }));
process.on('message', (message: { type: string }) => {
  if (message.type === 'fan-out') process.send?.({ type: 'fan-out', ...fanOut });
});
process.once('disconnect', () => process.exit(0));
process.once('SIGTERM', () => process.exit(0));
