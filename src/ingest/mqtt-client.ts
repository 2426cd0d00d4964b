import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { logConnectionErrors } from '../connection-errors.ts';

export interface BrokerOptions {
  url: string;
  username?: string;
  password?: string;
  caFile?: string;
  tlsInsecure?: boolean;
  clientIdPrefix?: string;
}

export const RECONNECT_MIN_MS = 250;
/** A returning broker is found within this, so values are fresh again a few seconds after it is back. */
export const RECONNECT_MAX_MS = 3_000;

/**
 * Reconnect delays: doubling from 250 ms to a 3 s ceiling, each drawn from the upper half below its
 * ceiling ("equal jitter") so that many gateways do not reconnect in lockstep after a broker restart.
 */
export class ReconnectBackoff {
  #attempt = 0;

  constructor(private readonly random: () => number = Math.random) {}

  next(): number {
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#attempt);
    if (ceiling < RECONNECT_MAX_MS) this.#attempt++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/**
 * An MQTT client that never gives up: it reconnects forever after a jittered, capped back-off
 * (`ReconnectBackoff`) that starts again from the shortest wait after a successful connection. Subscribing
 * is the caller's job on every `connect` event (clean sessions), so a broker restart never leaves the gateway deaf.
 */
export function connectBroker(options: BrokerOptions, logger: Logger, role: { purpose?: 'ingest' | 'commands' } = {}): MqttClient {
  const suffix = role.purpose === 'commands' ? '-cmd' : '';
  const clientOptions: IClientOptions = {
    clientId: `${options.clientIdPrefix ?? 'openwb-gateway'}${suffix}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    username: options.username,
    password: options.password,
    clean: true,
    resubscribe: false,
    reconnectPeriod: RECONNECT_MIN_MS,
    connectTimeout: 10_000,
    keepalive: 30,
    ca: options.caFile ? readFileSync(options.caFile) : undefined,
    rejectUnauthorized: !options.tlsInsecure,
  };
  const client = mqtt.connect(options.url, clientOptions);
  const backoff = new ReconnectBackoff();
  client.on('connect', () => {
    // Commands are small and latency-bound: without Nagle none waits for the ACK of the one before.
    if (role.purpose === 'commands') (client.stream as { setNoDelay?: (noDelay: boolean) => void } | undefined)?.setNoDelay?.(true);
    backoff.reset();
    logger.info({ broker: redact(options.url), purpose: role.purpose ?? 'ingest' }, 'connected to the openWB broker');
  });
  // mqtt.js arms the next attempt from its own 'close' listener with `reconnectPeriod`: set it first.
  client.prependListener('close', () => {
    client.options.reconnectPeriod = backoff.next();
  });
  client.on('offline', () =>
    logger.warn({ broker: redact(options.url), retryInMs: client.options.reconnectPeriod }, 'openWB broker unreachable, retrying'),
  );
  logConnectionErrors(client, logger, 'MQTT', 'connect');
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
