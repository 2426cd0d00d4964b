import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface BrokerOptions {
  url: string;
  username?: string;
  password?: string;
  caFile?: string;
  tlsInsecure?: boolean;
  clientIdPrefix?: string;
}

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * An MQTT client that never gives up: it reconnects forever, doubling the wait up to 30 s while the broker
 * stays away and starting again at 1 s after a successful connection. Subscribing is the caller's job on
 * every `connect` event (clean sessions), so a broker restart never leaves the gateway deaf.
 */
export function connectBroker(options: BrokerOptions, logger: Logger, role: { purpose?: 'ingest' | 'commands' } = {}): MqttClient {
  const suffix = role.purpose === 'commands' ? '-cmd' : '';
  const clientOptions: IClientOptions = {
    clientId: `${options.clientIdPrefix ?? 'openwb-gateway'}${suffix}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    username: options.username,
    password: options.password,
    clean: true,
    resubscribe: false,
    reconnectPeriod: MIN_BACKOFF_MS,
    connectTimeout: 10_000,
    keepalive: 30,
    ca: options.caFile ? readFileSync(options.caFile) : undefined,
    rejectUnauthorized: !options.tlsInsecure,
  };
  const client = mqtt.connect(options.url, clientOptions);
  let backoff = MIN_BACKOFF_MS;
  client.on('connect', () => {
    // Commands are small and latency-bound: without Nagle none waits for the ACK of the one before.
    if (role.purpose === 'commands') (client.stream as { setNoDelay?: (noDelay: boolean) => void } | undefined)?.setNoDelay?.(true);
    backoff = MIN_BACKOFF_MS;
    client.options.reconnectPeriod = backoff;
    logger.info({ broker: redact(options.url), purpose: role.purpose ?? 'ingest' }, 'connected to the openWB broker');
  });
  client.on('close', () => {
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    client.options.reconnectPeriod = backoff;
  });
  client.on('offline', () =>
    logger.warn({ broker: redact(options.url), retryInMs: client.options.reconnectPeriod }, 'openWB broker unreachable, retrying'),
  );
  client.on('error', (error) => logger.warn({ err: error.message }, 'MQTT error'));
  return client;
}

/** The broker URL without credentials, for logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}
