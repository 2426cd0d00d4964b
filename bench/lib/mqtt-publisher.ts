/**
 * Child process for bench/ingest.ts: the openWB side. Publishes the bench's message stream to the real
 * broker from its own process, so it does not share the gateway's event loop. IPC protocol:
 *
 *   child → parent  { type: 'ready' }                       connected
 *   parent → child  { type: 'probe' }                       publish openWB/system/version every 100 ms…
 *   parent → child  { type: 'stop-probe' }                  …until this; answers { type: 'probe-stopped' }
 *   parent → child  { type: 'go' }                          publish the N messages; answers
 *   child → parent  { type: 'done', published, seconds, rate, cpuSeconds } (or { type: 'failed', error })
 *   parent → child  { type: 'stop' } / SIGTERM / lost parent: disconnect and exit
 *
 * BENCH_PUB (JSON): { url, prefix, n, qos, rate (msg/s, 0 = as fast as the broker takes them), window,
 * timeoutMs }. `window` bounds the messages handed to the client but not yet written (QoS 0) or not yet
 * acknowledged by the broker (QoS 1).
 */
import mqtt from 'mqtt';
import { message } from './ingest-messages.ts';

interface PublisherConfig {
  url: string;
  prefix: string;
  n: number;
  qos: 0 | 1;
  rate: number;
  window: number;
  timeoutMs: number;
}

const config = JSON.parse(process.env.BENCH_PUB ?? '{}') as PublisherConfig;
const send = (msg: object) => process.send?.(msg);
const client = await mqtt.connectAsync(config.url, { reconnectPeriod: 0, connectTimeout: 5_000, clean: true });
client.on('error', (error) => send({ type: 'failed', error: error.message }));

let stopping = false;
async function stop(): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.race([client.endAsync(), new Promise((resolve) => setTimeout(resolve, 3_000))]);
  }
  process.exit(0);
}
process.once('disconnect', () => void stop());
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

let probe: NodeJS.Timeout | undefined;
let probesInFlight = 0;

function publishStream(): void {
  const { n, qos, rate, window } = config;
  const prefix = config.prefix;
  let sent = 0;
  let completed = 0;
  let waitingForWindow = false;
  let finished = false;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const deadline = setTimeout(() => {
    finished = true;
    send({ type: 'failed', error: `publisher timed out after ${config.timeoutMs} ms with ${completed}/${n} messages published` });
  }, config.timeoutMs);

  const onComplete = (error?: Error) => {
    if (finished) return;
    if (error) {
      finished = true;
      clearTimeout(deadline);
      send({ type: 'failed', error: error.message });
      return;
    }
    completed++;
    if (completed === n) {
      finished = true;
      clearTimeout(deadline);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      send({ type: 'done', published: completed, seconds, rate: completed / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    } else if (waitingForWindow) {
      waitingForWindow = false;
      setImmediate(pump);
    }
  };

  const pump = () => {
    if (finished) return;
    const allowed = rate > 0 ? Math.min(n, Math.ceil(((performance.now() - started) / 1000) * rate)) : n;
    // At most 1,000 per turn, so socket I/O and acknowledgements get their turn too.
    for (let budget = 1_000; budget > 0 && sent < allowed && sent - completed < window; budget--) {
      const m = message(sent++);
      client.publish(prefix + m.topic, m.payload, { qos, retain: false }, onComplete);
    }
    if (sent >= n) return;
    if (sent - completed >= window) waitingForWindow = true;
    else if (sent < allowed) setImmediate(pump);
    else setTimeout(pump, 1); // paced: wait for the clock
  };
  pump();
}

process.on('message', (msg: { type?: string }) => {
  if (msg.type === 'probe' && !probe) {
    const once = () => {
      probesInFlight++;
      client.publish(`${config.prefix}openWB/system/version`, '"2.2.2"', { qos: 1 }, () => probesInFlight--);
    };
    once();
    probe = setInterval(once, 100);
  }
  if (msg.type === 'stop-probe') {
    clearInterval(probe);
    const wait = () => (probesInFlight > 0 ? setTimeout(wait, 10) : send({ type: 'probe-stopped' }));
    wait();
  }
  if (msg.type === 'go') publishStream();
  if (msg.type === 'stop') void stop();
});
send({ type: 'ready' });
