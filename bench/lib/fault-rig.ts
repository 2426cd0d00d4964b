/**
 * Everything bench/faults.ts breaks, all its own: a Mosquitto and a redis-server on free ports, a fresh
 * MariaDB database on the shared server reached through a TCP proxy it can cut, the gateway as a child
 * process, and the openWB feed. `close()` stops and removes all of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mariadb from 'mariadb';
import { PrivateRedis } from '../../test/support/redis-server.ts';
import { createMariaDbDatabase, mariaDbConfig, type TestDatabase } from '../../test/support/services.ts';
import { TcpProxy } from '../../test/support/tcp-proxy.ts';
import { freePort } from './common.ts';
import { EXPECTED_SERIES, OpenWbFeed } from './openwb-feed.ts';
import { GatewayProcess, createApiKey } from './gateway-process.ts';
import { PrivateMosquitto } from '../../test/support/mosquitto-server.ts';

export interface RigOptions {
  intervalS: number;
  staleAfterS: number;
  /** Keep the temp directory with the gateway's log. */
  keepLog: boolean;
}

export interface StoredSamples {
  /** Rows of EXPECTED_SERIES. */
  expectedSeries: number;
  /** Rows of any other series (e.g. a chargepoint id that should have been refused). */
  otherSeries: number;
  /** Raw rows of the poisoned meter counters holding 1e308. */
  hugeCounterValues: number;
  /** Raw rows of the poisoned meter counters holding the glitch 0 (raw samples are raw: informational). */
  zeroCounterValues: number;
}

const MAX_LIMIT = '1000000000';
/** The meter counters bench/lib/fault-catalog.ts poisons. */
const POISONED_COUNTERS = ['chargepoint.1.energyImported', 'chargepoint.2.energyImported'];

export class FaultRig {
  private readonly closers: (() => Promise<unknown>)[] = [];
  broker!: PrivateMosquitto;
  redis!: PrivateRedis;
  proxy!: TcpProxy;
  gateway!: GatewayProcess;
  feed!: OpenWbFeed;
  apiKey!: string;
  logFile!: string;
  private sql!: mariadb.Pool;

  private constructor(readonly options: RigOptions) {}

  static async start(options: RigOptions): Promise<FaultRig> {
    const rig = new FaultRig(options);
    try {
      await rig.setUp();
    } catch (error) {
      await rig.close();
      throw error;
    }
    return rig;
  }

  get url(): string {
    return this.gateway.url;
  }

  private async setUp(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'owg-bench-faults-'));
    this.logFile = join(dir, 'gateway.log');
    this.closers.push(async () => (this.options.keepLog ? undefined : rmSync(dir, { recursive: true, force: true })));

    this.broker = await PrivateMosquitto.start();
    this.closers.push(() => this.broker.close());
    this.redis = await PrivateRedis.start();
    this.closers.push(() => this.redis.stop());
    const database: TestDatabase = await createMariaDbDatabase('bench_faults');
    this.closers.push(() => database.drop());
    this.sql = mariadb.createPool({ ...mariaDbConfig(database.url), connectionLimit: 2 });
    this.closers.push(() => this.sql.end());

    const direct = new URL(database.url);
    this.proxy = await TcpProxy.start(direct.hostname, Number(direct.port || 3306));
    this.closers.push(() => this.proxy.close());
    const viaProxy = new URL(database.url);
    viaProxy.port = String(this.proxy.port);

    this.apiKey = await createApiKey(database.url, 'read');
    this.feed = await OpenWbFeed.start(this.broker.url, this.options.intervalS * 1000);
    this.closers.push(() => this.feed.stop());

    const port = await freePort();
    this.gateway = new GatewayProcess(
      `http://127.0.0.1:${port}`,
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        METRICS_PUBLIC: 'true',
        OPENWB_MQTT_URL: this.broker.url,
        OPENWB_GENERATION: '2',
        REDIS_URL: this.redis.url,
        DATABASE_URL: viaProxy.toString(),
        RECORD_INTERVAL_S: String(this.options.intervalS),
        STALE_AFTER_S: String(this.options.staleAfterS),
        RATE_LIMIT_IP_PER_MIN: MAX_LIMIT,
        RATE_LIMIT_KEY_PER_MIN: MAX_LIMIT,
        RATE_LIMIT_KEY_PER_DAY: MAX_LIMIT,
      },
      this.logFile,
    );
    this.closers.push(() => this.gateway.stop());
    await this.gateway.start();
  }

  /** Samples stored with a timestamp in (fromMs, toMs], counted in SQL on the direct connection. */
  async storedSamples(fromMs: number, toMs: number): Promise<StoredSamples> {
    const [row] = await this.sql.query<Record<'expected' | 'other' | 'huge' | 'zero', unknown>[]>(
      `SELECT SUM(r.series_key IN (?)) AS expected,
              SUM(r.series_key NOT IN (?)) AS other,
              SUM(r.series_key IN (?) AND s.value >= 1e300) AS huge,
              SUM(r.series_key IN (?) AND s.value = 0) AS zero
         FROM stat_samples s JOIN stat_series r ON r.id = s.series_id
        WHERE s.ts > ? AND s.ts <= ?`,
      [EXPECTED_SERIES, EXPECTED_SERIES, POISONED_COUNTERS, POISONED_COUNTERS, fromMs, toMs],
    );
    return {
      expectedSeries: Number(row?.expected ?? 0),
      otherSeries: Number(row?.other ?? 0),
      hugeCounterValues: Number(row?.huge ?? 0),
      zeroCounterValues: Number(row?.zero ?? 0),
    };
  }

  async close(): Promise<void> {
    for (const closer of this.closers.reverse())
      await closer().catch((error: unknown) => console.error(`clean-up: ${(error as Error).message}`));
    this.closers.length = 0;
  }
}
