import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REFUSAL_REASONS } from './openwb/bounds.ts';

/** One registry per gateway (not prom-client's global), so tests can build several apps in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by OpenAPI operation',
      labelNames: ['operation', 'method', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    mqttMessages: new Counter({
      name: 'openwb_mqtt_messages_total',
      help: 'MQTT messages received from openWB',
      registers,
    }),
    mqttDecodeErrors: new Counter({
      name: 'openwb_mqtt_decode_errors_total',
      help: 'MQTT messages refused at the edge of ingest, all reasons (by reason: openwb_mqtt_refused_total)',
      registers,
    }),
    mqttRefused: withLabels(
      new Counter({
        name: 'openwb_mqtt_refused_total',
        help: 'MQTT messages refused at the edge of ingest, by reason (the last good value stays)',
        labelNames: ['reason'] as const,
        registers,
      }),
      REFUSAL_REASONS,
    ),
    componentsRetired: new Counter({
      name: 'openwb_components_retired_total',
      help: 'openWB components dropped from the live store because openWB kept publishing without them',
      registers,
    }),
    mqttConnected: new Gauge({
      name: 'openwb_mqtt_connected',
      help: '1 while connected to the openWB broker',
      registers,
    }),
    liveStoreDuration: new Histogram({
      name: 'live_store_operation_duration_seconds',
      help: 'Latency of live store operations',
      labelNames: ['operation'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    }),
    liveStoreErrors: new Counter({
      name: 'live_store_errors_total',
      help: 'Failed live store operations',
      labelNames: ['operation'] as const,
      registers,
    }),
    liveStoreDegraded: new Gauge({
      name: 'live_store_degraded',
      help: '1 while the live store replica is not in sync with Redis (Redis unreachable or resyncing) and serves what it holds',
      registers,
    }),
    liveStoreWriteBackPending: new Gauge({
      name: 'live_store_writeback_pending',
      help: 'Live fields written while Redis was unreachable and not yet written back',
      registers,
    }),
    streamConnections: new Gauge({
      name: 'stream_connections',
      help: 'Open live streams, by transport (websocket, sse)',
      labelNames: ['transport'] as const,
      registers,
    }),
    streamRefused: withLabels(
      new Counter({
        name: 'stream_connections_refused_total',
        help: 'Live streams refused, by reason (principal-limit, address-limit)',
        labelNames: ['reason'] as const,
        registers,
      }),
      ['principal-limit', 'address-limit'],
    ),
    streamMessagesSent: new Counter({
      name: 'stream_messages_sent_total',
      help: 'Messages sent on live streams (one per connection)',
      registers,
    }),
    streamClosed: withLabels(
      new Counter({
        name: 'stream_closed_total',
        help: 'Live streams the gateway ended, by reason (tooSlow 4008, credentialsInvalid 4401, forbidden 4403, shutdown 1001)',
        labelNames: ['reason'] as const,
        registers,
      }),
      ['tooSlow', 'credentialsInvalid', 'forbidden', 'shutdown'],
    ),
    streamFanOutDuration: new Histogram({
      name: 'stream_fanout_duration_seconds',
      help: 'Time to hand one change or event to every live stream that may see it, the writes of its frames included',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    }),
    streamCoalesced: new Counter({
      name: 'stream_changes_coalesced_total',
      help: 'Changes merged into one still waiting for a client whose connection was backed up',
      registers,
    }),
    liveStoreWrittenBack: new Counter({
      name: 'live_store_written_back_total',
      help: 'Live fields written back to Redis after an outage or after Redis restarted empty',
      registers,
    }),
  };
}

/** Every reason appears from the start (as 0), so a rate over it never starts from a missing series. */
function withLabels<C extends Counter<'reason'>>(counter: C, reasons: readonly string[]): C {
  for (const reason of reasons) counter.inc({ reason }, 0);
  return counter;
}

export type Metrics = ReturnType<typeof createMetrics>;
