import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { openMariaDb } from '../../src/db/mariadb.ts';
import { eventually, openPublisher } from '../support/gateway.ts';
import { startNode, stop } from '../support/process.ts';
import { createMariaDbDatabase, services, uniqueId, type TestDatabase } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

const SERIES = ['pv.power', 'battery.power', 'battery.soc'];
const SHUTDOWN_FLUSH_S = 2;
const SPOOLED_MESSAGE = 'recorder stopped: what could not be written is spooled for the next start';
const REPLAYED_MESSAGE = 'recorder spool replayed: written with the next ticks';

interface RunningGateway {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** The pino lines of a gateway's output with this message. */
function logged(output: string, message: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === message);
}

describe('SIGTERM during a MariaDB outage: the real gateway process spools what it buffered, the next start replays it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owg-shutdown-'));
  const spoolFile = join(dir, 'recorder-spool.jsonl');
  const topicPrefix = `${uniqueId('shutdown')}/`;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let direct: Database;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createMariaDbDatabase('shutdown');
    direct = openMariaDb(database.url);
    const url = new URL(database.url);
    proxy = await TcpProxy.start(url.hostname, Number(url.port || 3306));
  });
  afterAll(async () => {
    for (const child of running) await stop(child);
    await direct?.close();
    await proxy?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts `src/main.ts` with the same spool file and database (through the proxy) every time. */
  async function startGatewayProcess(): Promise<RunningGateway> {
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    const started = await startNode(
      'src/main.ts',
      {
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        OPENWB_MQTT_URL: services.mqttUrl,
        OPENWB_GENERATION: '2',
        OPENWB_TOPIC_PREFIX: topicPrefix,
        DATABASE_URL: viaProxy.toString(),
        RECORD_INTERVAL_S: '1',
        RECORDER_SPOOL_FILE: spoolFile,
        RECORDER_SHUTDOWN_FLUSH_S: String(SHUTDOWN_FLUSH_S),
      },
      /"url":"(http:\/\/[^"]+)","msg":"openwb-gateway listening"/,
    );
    running.push(started.child);
    return { child: started.child, url: started.match[1] as string, output: started.output };
  }

  /** The timestamps stored per series, from the direct connection. */
  async function storedTimestamps(): Promise<Map<string, number[]>> {
    const rows = await direct.query<{ series_key: string; ts: number }>(
      'SELECT r.series_key, s.ts FROM stat_samples s JOIN stat_series r ON r.id = s.series_id WHERE r.series_key IN (?, ?, ?) ORDER BY s.ts',
      SERIES,
    );
    const bySeries = new Map<string, number[]>(SERIES.map((series) => [series, []]));
    for (const row of rows) bySeries.get(row.series_key)!.push(Number(row.ts));
    return bySeries;
  }

  it('exits 0 within the flush deadline, spools the buffered samples with counts in the log, and replays them at the next start', async () => {
    const publisher = await openPublisher(topicPrefix);
    try {
      await publisher.publish('openWB/pv/get/power', '-4000');
      await publisher.publish('openWB/bat/get/power', '500');
      await publisher.publish('openWB/bat/get/soc', '60');

      const first = await startGatewayProcess();
      await eventually(
        async () => ([...(await storedTimestamps()).values()].every((ts) => ts.length >= 2) ? true : undefined),
        15_000,
        'samples of every series written',
      );

      await proxy.cut();
      const writtenBeforeCut = await storedTimestamps();
      const buffered = async () => {
        const ready = (await (await fetch(`${first.url}/health/ready`)).json()) as { checks?: { recorder?: { bufferedSamples?: number } } };
        return ready.checks?.recorder?.bufferedSamples ?? 0;
      };
      await eventually(async () => ((await buffered()) >= 2 * SERIES.length ? true : undefined), 15_000, 'samples buffered');

      const stoppedAt = Date.now();
      expect(await stop(first.child)).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan((SHUTDOWN_FLUSH_S + 3) * 1000);

      const spooled = readFileSync(spoolFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { sample?: { series: string; ts: number; value: number } })
        .flatMap((line) => (line.sample ? [line.sample] : []));
      expect(spooled.length).toBeGreaterThanOrEqual(2 * SERIES.length);
      expect(new Set(spooled.map((sample) => sample.series))).toEqual(new Set(SERIES));
      expect(logged(first.output(), SPOOLED_MESSAGE)).toEqual([
        expect.objectContaining({ samples: spooled.length, file: spoolFile, flushed: false }),
      ]);

      await proxy.restore();
      const second = await startGatewayProcess();
      expect(logged(second.output(), REPLAYED_MESSAGE)).toEqual([expect.objectContaining({ samples: spooled.length, file: spoolFile })]);
      await eventually(async () => (existsSync(spoolFile) ? undefined : true), 15_000, 'the spool file removed once written');

      // Up to the newest spooled tick, each series holds exactly what was written before the cut and what was spooled.
      const lastSpooled = Math.max(...spooled.map((sample) => sample.ts));
      const stored = await storedTimestamps();
      for (const series of SERIES) {
        const expected = new Set([...writtenBeforeCut.get(series)!, ...spooled.filter((s) => s.series === series).map((s) => s.ts)]);
        expect(stored.get(series)!.filter((ts) => ts <= lastSpooled)).toEqual([...expected].sort((a, b) => a - b));
      }
      expect(await stop(second.child)).toBe(0);
    } finally {
      await publisher.close();
    }
  }, 90_000);
});
