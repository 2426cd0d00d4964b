/** A live store filled like ingest fills it, a clock the test moves, and recorders on it with readable metrics and logs. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Database } from '../../src/db/database.ts';
import { LiveService } from '../../src/live/live-service.ts';
import { MemoryLiveStore } from '../../src/live/memory-store.ts';
import type { EntityKind, Json } from '../../src/live/model.ts';
import { LocalLock, type RecorderLock } from '../../src/recorder/lock.ts';
import { createRecorderMetrics } from '../../src/recorder/metrics.ts';
import { Recorder, type LiveReader, type RecorderOptions } from '../../src/recorder/recorder.ts';
import { NO_TARIFF } from '../../src/sessions/tariff.ts';

export const INTERVAL = 10_000;

export function liveWorld(start = Date.parse('2026-05-20T10:00:00Z')) {
  const store = new MemoryLiveStore();
  const clock = { now: start };
  const set = (kind: EntityKind, id: string, fields: Record<string, Json>) =>
    store.apply(Object.entries(fields).map(([field, value]) => ({ kind, id, field, value, receivedAt: clock.now })));
  const live = new LiveService(store, { staleAfterMs: 60_000, now: () => clock.now });
  return { store, clock, set, live };
}

export type LiveWorld = ReturnType<typeof liveWorld>;

export interface RecorderHarness {
  recorder: Recorder;
  registry: Registry;
  logs: { level: number; msg: string; [key: string]: unknown }[];
  /** The value of a counter (summed over label sets, or for one label set). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export function makeRecorder(
  db: Database,
  world: LiveWorld,
  options: Partial<RecorderOptions> & { lock?: RecorderLock; live?: LiveReader; ids?: string[] } = {},
): RecorderHarness {
  const registry = new Registry();
  const logs: RecorderHarness['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as RecorderHarness['logs'][number]);
      done();
    },
  });
  const { lock, live, ids = [], ...rest } = options;
  const recorder = new Recorder({
    live: live ?? world.live,
    db,
    lock: lock ?? new LocalLock(),
    metrics: createRecorderMetrics(registry),
    logger: pino({ level: 'info' }, sink),
    options: { intervalMs: INTERVAL, rawRetentionMs: 30 * 86_400_000, bufferSize: 10_000, tariff: NO_TARIFF, ...rest },
    now: () => world.clock.now,
    newId: () => ids.shift() ?? crypto.randomUUID(),
  });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const values = (found?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
    return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((sum, v) => sum + v.value, 0);
  };
  return { recorder, registry, logs, metric };
}
