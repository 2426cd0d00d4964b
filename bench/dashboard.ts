/**
 * The dashboard's figures (issue 16), measured in Debian's headless Chromium through playwright-core:
 *
 *   node --import tsx bench/dashboard.ts [--loads 10] [--samples 200] [--interval-ms 40]
 *
 * 1. JavaScript shipped: the gzip size (level 9) of every script index.html loads, after `vite build` (target ≤ 150 KB).
 * 2. First render with live values: navigation start → `owg:first-live-value` (a performance mark the live view sets
 *    in the first frame after the snapshot's values are in the DOM), for a tab that was signed in (an API key in
 *    sessionStorage, as after a reload), median and worst of `--loads` fresh contexts (target ≤ 1 s). Baseline in the
 *    same run: the same page without credentials, navigation start → `owg:sign-in-shown` (no API call, no stream).
 * 3. MQTT publish → value on screen: grid power published `--samples` times (QoS 0, every `--interval-ms`), each value
 *    distinct; the page's MutationObserver stamps the moment the number changes (performance.timeOrigin + now(),
 *    the wall clock this process uses too). p50/p95/max (target p95 ≤ 100 ms), beside the floor: a plain MQTT
 *    subscriber on the same broker receiving the same publishes in this process.
 *
 * The gateway runs in this process (real Mosquitto and Redis, unique prefixes, SQLite in a temp dir) with the openWB
 * simulator publishing once (no timer), so the only changes are the bench's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import { loadConfig } from '../src/config.ts';
import { startGateway } from '../src/gateway.ts';
import { OpenWbSimulator } from '../src/openwb/simulator/index.ts';
import { launchBrowser } from '../test/support/browser.ts';
import {
  MQTT_URL,
  REDIS_URL,
  REPO_ROOT,
  deleteRedisPrefix,
  fmt,
  median,
  printJson,
  requireServices,
  round,
  sleep,
  uniqueId,
} from './lib/common.ts';

const { values: opts } = parseArgs({
  options: {
    loads: { type: 'string', default: '10' },
    samples: { type: 'string', default: '200' },
    'interval-ms': { type: 'string', default: '40' },
  },
});
const LOADS = Number(opts.loads);
const SAMPLES = Number(opts.samples);
const INTERVAL_MS = Number(opts['interval-ms']);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const now = () => performance.timeOrigin + performance.now();

await requireServices({ mqtt: true, redis: true });

// 1. Size of the JavaScript the page loads.
const { build } = await import('vite');
await build({ configFile: join(REPO_ROOT, 'dashboard/vite.config.ts'), logLevel: 'error' });
const dist = join(REPO_ROOT, 'dist/dashboard');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/<script[^>]*\bsrc="\/([^"]+)"/g)].map((m) => m[1]!);
const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="\/([^"]+)"/g)].map((m) => m[1]!);
const gz = (files: string[]) => files.reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, file)), { level: 9 }).length, 0);
const raw = (files: string[]) => files.reduce((sum, file) => sum + readFileSync(join(dist, file)).length, 0);
const jsGzipKB = gz(scripts) / 1024;
console.log(
  `JavaScript shipped: ${scripts.length} file(s), ${fmt(raw(scripts) / 1024, 1)} KB, ${fmt(jsGzipKB, 1)} KB gzipped (target ≤ 150 KB)`,
);
console.log(`CSS: ${fmt(raw(styles) / 1024, 1)} KB, ${fmt(gz(styles) / 1024, 1)} KB gzipped`);

// A gateway on the real services.
const prefix = `${uniqueId('dash')}/`;
const redisPrefix = `${uniqueId('dash')}:`;
const dir = mkdtempSync(join(tmpdir(), 'owg-bench-dashboard-'));
const gateway = await startGateway(
  loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'warn',
    OPENWB_MQTT_URL: MQTT_URL,
    OPENWB_TOPIC_PREFIX: prefix,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`,
    RECORDER_SPOOL_FILE: join(dir, 'spool.jsonl'),
    STALE_AFTER_S: '3600',
  }),
);
const simulator = await OpenWbSimulator.start({ url: MQTT_URL, topicPrefix: prefix, intervalMs: 0 });
const key = (await gateway.apiKeys.create({ name: 'bench', scopes: ['read'] })).key;
const browser = await launchBrowser();
const publisher = await mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0 });
const floor = await mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0 });
const GRID = `${prefix}openWB/counter/0/get/power`;

try {
  // Wait until the gateway has the site (the simulator's first cycle).
  for (let i = 0; i < 100; i++) {
    const site = (await (await fetch(`${gateway.url}/api/v1/site`, { headers: { 'x-api-key': key } })).json()) as {
      grid?: { power: number | null };
    };
    if (site.grid?.power !== null && site.grid?.power !== undefined) break;
    await sleep(100);
  }

  // 2. First render with live values, and the baseline.
  const markAfterNavigation = async (signedIn: boolean, mark: string): Promise<number> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    if (signedIn) await context.addInitScript(`sessionStorage.setItem('owg.apiKey', ${JSON.stringify(key)})`);
    const page = await context.newPage();
    await page.goto(`${gateway.url}/`);
    // A function, not a string: playwright evaluates a string predicate with eval, which the page's CSP forbids.
    await page.waitForFunction((name) => performance.getEntriesByName(name).length > 0, mark, { timeout: 10_000 });
    const at = (await page.evaluate(`performance.getEntriesByName(${JSON.stringify(mark)})[0].startTime`)) as number;
    if (signedIn) {
      const steps = (await page.evaluate(
        `['owg:script-start', 'owg:snapshot'].map((name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN)`,
      )) as number[];
      scriptStart.push(steps[0]!);
      snapshotAt.push(steps[1]!);
    }
    await context.close();
    return at;
  };
  const scriptStart: number[] = [];
  const snapshotAt: number[] = [];
  await markAfterNavigation(true, 'owg:first-live-value'); // warm the server's caches and the browser's code cache
  const firstLive: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    baseline.push(await markAfterNavigation(false, 'owg:sign-in-shown'));
    firstLive.push(await markAfterNavigation(true, 'owg:first-live-value'));
  }
  scriptStart.splice(0, 1);
  snapshotAt.splice(0, 1);
  console.log(
    `  of which (medians): script running ${fmt(median(scriptStart))} ms, stream snapshot received ${fmt(median(snapshotAt))} ms, values painted ${fmt(median(firstLive))} ms`,
  );
  console.log(
    `First render with live values: median ${fmt(median(firstLive))} ms, worst ${fmt(Math.max(...firstLive))} ms over ${LOADS} loads (target ≤ 1000 ms); ` +
      `baseline (sign-in page, no data): median ${fmt(median(baseline))} ms, worst ${fmt(Math.max(...baseline))} ms`,
  );

  // 3. Publish → screen.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(`sessionStorage.setItem('owg.apiKey', ${JSON.stringify(key)})`);
  const page = await context.newPage();
  await page.goto(`${gateway.url}/`);
  await page.waitForFunction(() => performance.getEntriesByName('owg:first-live-value').length > 0);
  await page.evaluate(`(() => {
    const num = document.querySelector('[data-value="grid.power"] .num');
    window.__seen = [];
    // One entry per text written (a callback may carry several records): the value each record put on screen.
    new MutationObserver((records) => {
      const at = performance.timeOrigin + performance.now();
      for (const record of records) for (const node of record.addedNodes) window.__seen.push([node.textContent, at]);
    })
      .observe(num, { childList: true, characterData: true, subtree: true });
  })()`);
  const floorAt = new Map<number, number>();
  floor.on('message', (_topic, payload) => floorAt.set(Number(payload.toString()), now()));
  await floor.subscribeAsync(GRID, { qos: 0 });
  const sentAt = new Map<number, number>();
  // Watts below 1 kW are shown whole ("537 W"), so every sample reads back as itself.
  const valueOf = (i: number) => 100 + i * 4;
  for (let i = 0; i < SAMPLES; i++) {
    const value = valueOf(i);
    sentAt.set(value, now());
    publisher.publish(GRID, String(value), { qos: 0 });
    await sleep(INTERVAL_MS);
  }
  await sleep(500);
  const seen = (await page.evaluate('window.__seen')) as [string, number][];
  const screenAt = new Map<number, number>();
  for (const [text, at] of seen) {
    const match = /^(\d+) W$/.exec(text);
    if (match && !screenAt.has(Number(match[1]))) screenAt.set(Number(match[1]), at);
  }
  const latencies: number[] = [];
  const floors: number[] = [];
  for (const [value, sent] of sentAt) {
    const shown = screenAt.get(value);
    if (shown !== undefined) latencies.push(shown - sent);
    const received = floorAt.get(value);
    if (received !== undefined) floors.push(received - sent);
  }
  await context.close();
  console.log(
    `MQTT publish → on screen: p50 ${fmt(percentile(latencies, 50), 1)} ms, p95 ${fmt(percentile(latencies, 95), 1)} ms, max ${fmt(Math.max(...latencies), 1)} ms ` +
      `(${latencies.length}/${SAMPLES} on screen${latencies.length < SAMPLES ? ', the others replaced by a later value before they were shown (the stream coalesces, latest wins)' : ''}; target p95 ≤ 100 ms); floor (plain MQTT subscriber): p50 ${fmt(percentile(floors, 50), 1)} ms, p95 ${fmt(percentile(floors, 95), 1)} ms`,
  );
  printJson({
    bench: 'dashboard',
    jsGzipKB: round(jsGzipKB, 1),
    firstLiveMs: { median: round(median(firstLive)), worst: round(Math.max(...firstLive)) },
    baselineSignInMs: { median: round(median(baseline)), worst: round(Math.max(...baseline)) },
    publishToScreenMs: {
      p50: round(percentile(latencies, 50), 1),
      p95: round(percentile(latencies, 95), 1),
      seen: latencies.length,
      sent: SAMPLES,
    },
    floorMs: { p50: round(percentile(floors, 50), 1), p95: round(percentile(floors, 95), 1) },
    targets: { jsGzipKB: jsGzipKB <= 150, firstLiveMs: median(firstLive) <= 1000, publishToScreenP95: percentile(latencies, 95) <= 100 },
  });
} finally {
  await browser.close();
  await publisher.endAsync();
  await floor.endAsync();
  await simulator.stop();
  await gateway.close();
  await deleteRedisPrefix(redisPrefix).catch(() => 0);
  rmSync(dir, { recursive: true, force: true });
}
