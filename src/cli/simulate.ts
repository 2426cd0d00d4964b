import { OpenWbSimulator } from '../openwb/simulator/index.ts';

export async function simulateCommand(options: {
  url: string;
  username?: string;
  password?: string;
  topicPrefix: string;
  interval: string;
}) {
  const seconds = Number(options.interval);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--interval must be a positive number of seconds');
  const logger = {
    info: (o: object, m?: string) => console.log(m ?? '', JSON.stringify(o)),
    warn: (o: object, m?: string) => console.error(m ?? '', JSON.stringify(o)),
  };
  const simulator = await OpenWbSimulator.start({
    url: options.url,
    username: options.username,
    password: options.password,
    topicPrefix: options.topicPrefix,
    intervalMs: seconds * 1000,
    logger,
  });
  console.log(`Simulating openWB 2.x on ${options.url} every ${seconds} s. Ctrl+C stops.`);
  const stop = () => void simulator.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
