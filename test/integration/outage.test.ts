import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { openMariaDb } from '../../src/db/mariadb.ts';
import { migrate } from '../../src/db/migrate.ts';
import { LiveService } from '../../src/live/live-service.ts';
import { MemoryLiveStore } from '../../src/live/memory-store.ts';
import type { EntityKind, Json } from '../../src/live/model.ts';
import { LocalLock } from '../../src/recorder/lock.ts';
import { createRecorderMetrics } from '../../src/recorder/metrics.ts';
import { Recorder } from '../../src/recorder/recorder.ts';
import { NO_TARIFF } from '../../src/sessions/tariff.ts';
import { eventually, openPublisher, startTestGateway } from '../support/gateway.ts';
import { createMariaDbDatabase, type TestDatabase } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

const INTERVAL = 10_000;
const BUFFER = 50;

describe('recorder during a MariaDB outage (TCP proxy cut and restored)', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let direct: Database;
  let viaProxy: Database;

  beforeAll(async () => {
    database = await createMariaDbDatabase('outage');
    direct = openMariaDb(database.url);
    await migrate(direct);
    const url = new URL(database.url);
    proxy = await TcpProxy.start(url.hostname, Number(url.port || 3306));
    url.port = String(proxy.port);
    viaProxy = openMariaDb(url.toString());
  });
  afterAll(async () => {
    await viaProxy?.close().catch(() => undefined);
    await direct?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('buffers samples and a finished session, writes them when the database is back, and counts exactly what overflowed', async () => {
    const store = new MemoryLiveStore();
    let now = Date.parse('2026-05-20T10:00:00Z');
    const set = (kind: EntityKind, id: string, fields: Record<string, Json>) =>
      store.apply(Object.entries(fields).map(([field, value]) => ({ kind, id, field, value, receivedAt: now })));
    const registry = new Registry();
    const recorder = new Recorder({
      live: new LiveService(store, { staleAfterMs: 60_000, now: () => now }),
      db: viaProxy,
      lock: new LocalLock(),
      metrics: createRecorderMetrics(registry),
      logger: pino({ level: 'silent' }),
      options: { intervalMs: INTERVAL, rawRetentionMs: 30 * 86_400_000, bufferSize: BUFFER, tariff: NO_TARIFF },
      now: () => now,
    });
    let meter = 1_000_000;
    const ticks: number[] = [];
    // Every tick: home power and the chargepoint's power and meter are fresh → 3 samples per tick.
    const tick = async (plugged: boolean) => {
      now += INTERVAL;
      meter += 30;
      await set('site', 'home', { power: 400 });
      await set('chargepoint', '3', { power: plugged ? 11_000 : 0, energyImported: meter, plugged, charging: plugged });
      expect(await recorder.sampleOnce()).toBe(true);
      ticks.push(now);
    };

    for (let i = 0; i < 5; i++) await tick(true);
    await recorder.flush();
    const count = async () => Number((await direct.query<{ n: number }>('SELECT COUNT(*) AS n FROM stat_samples'))[0]!.n);
    expect(await count()).toBe(15);

    await proxy.cut();
    for (let i = 0; i < 10; i++) await tick(true);
    await tick(false); // the vehicle is unplugged during the outage: the finished session waits in the buffer
    await expect(recorder.flush()).rejects.toThrow();
    expect(recorder.status()).toMatchObject({ bufferedSamples: 33, bufferedSessions: 1, lostSamples: 0 });

    for (let i = 0; i < 9; i++) await tick(false); // 20 ticks × 3 = 60 samples: 10 over the buffer of 50
    const status = recorder.status();
    expect(status).toMatchObject({ active: true, bufferedSamples: BUFFER, bufferedSessions: 1, lostSamples: 10, lostSessions: 0 });
    expect(status.lastError).toBeDefined();
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^recorder_samples_dropped_total 10$/m);
    expect(metrics).toMatch(/^recorder_buffered_samples 50$/m);

    await proxy.restore();
    await recorder.flush();
    expect(recorder.status()).toEqual({
      active: true,
      bufferedSamples: 0,
      bufferedSessions: 0,
      lostSamples: 10,
      lostSessions: 0,
      lastError: undefined,
      lastWriteAt: expect.any(Number),
      stalledForMs: undefined,
    });
    expect(await count()).toBe(15 + BUFFER);
    // Exactly the oldest samples of the outage were dropped: its first three ticks entirely, the fourth one of three.
    const perTick = await direct.query<{ ts: number; n: number }>('SELECT ts, COUNT(*) AS n FROM stat_samples GROUP BY ts ORDER BY ts');
    expect(perTick.map((r) => [Number(r.ts), Number(r.n)])).toEqual(
      ticks.filter((_, i) => i < 5 || i >= 8).map((ts, i) => [ts, i === 5 ? 2 : 3]),
    );
    const sessions = await direct.query<{ end_ms: number; energy_wh: number }>('SELECT end_ms, energy_wh FROM charging_sessions');
    expect(sessions.map((s) => [Number(s.end_ms), Number(s.energy_wh)])).toEqual([[ticks[15], 15 * 30]]);
    await recorder.stop();
  }, 60_000);

  it('reports the loss in /health/ready and /metrics of a running gateway, and writes everything else once MariaDB is back', async () => {
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    const gw = await startTestGateway({
      databaseUrl: proxied.toString(),
      store: 'memory',
      env: { RECORD_INTERVAL_S: '1', RECORDER_BUFFER_SIZE: '10', METRICS_PUBLIC: 'true' },
    });
    const publisher = await openPublisher(gw.topicPrefix);
    const metric = async (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec((await gw.http.get('/metrics')).text)?.[1]);
    try {
      await publisher.publish('openWB/pv/get/power', '-4000');
      await publisher.publish('openWB/bat/get/power', '500');
      await publisher.publish('openWB/bat/get/soc', '60');
      await eventually(async () => ((await metric('recorder_samples_written_total')) >= 6 ? true : undefined), 10_000, 'samples written');

      await proxy.cut();
      const ready = await eventually(
        async () => {
          const res = await gw.http.get('/health/ready');
          return res.body.checks?.recorder?.lostSamples > 0 ? res : undefined;
        },
        15_000,
        'lost samples reported',
      );
      expect(ready.status).toBe(503); // the database check fails; the recorder check explains the loss
      expect(ready.body.checks.database.ok).toBe(false);
      expect(ready.body.checks.recorder).toMatchObject({
        ok: false,
        active: true,
        bufferedSamples: 10,
        detail: expect.stringMatching(/lost to a full buffer/),
      });
      expect(await metric('recorder_samples_dropped_total')).toBeGreaterThanOrEqual(ready.body.checks.recorder.lostSamples);

      await proxy.restore();
      await eventually(
        async () => ((await gw.http.get('/health/ready')).body.checks?.database?.ok ? true : undefined),
        15_000,
        'database back',
      );
      await gw.gateway.recorder!.stop(); // writes what is buffered
      const recorded = await metric('recorder_samples_recorded_total');
      const dropped = await metric('recorder_samples_dropped_total');
      const spooled = await metric('recorder_samples_spooled_total');
      expect(gw.gateway.recorder!.status()).toMatchObject({ bufferedSamples: 0, lostSamples: dropped });
      const [row] = await direct.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM stat_samples x JOIN stat_series s ON s.id = x.series_id WHERE s.series_key IN (?, ?, ?)',
        ['pv.power', 'battery.power', 'battery.soc'],
      );
      expect(dropped).toBeGreaterThan(0);
      expect(Number(row!.n)).toBe(recorded - dropped - spooled);
    } finally {
      await publisher.close();
      await gw.close();
    }
  }, 60_000);
});
