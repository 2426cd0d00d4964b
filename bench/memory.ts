/**
 * Idle resident memory of the gateway in demo mode (embedded aedes broker + openWB simulator, in-memory
 * live store, SQLite), run as `npm start` runs it (compiled, dist/), next to bare `node -e` and
 * `node --import tsx -e` processes as baselines. Target: < 100 MB.
 *
 *   node --import tsx bench/memory.ts [--idle 20] [--samples 5] [--variant "--node-flag …" …] [--no-variants]
 *
 * The bench builds dist/ (`npm run build`) and starts the gateway with the node flags and script of the
 * start script, with a clean environment (PATH, HOME and its own
 * settings only): PORT=<free port>, DATABASE_URL=sqlite:<tmp>, LOG_LEVEL=warn, DEMO_INTERVAL_S=10, no
 * OPENWB_MQTT_URL. After /health/ready answers 200 it idles (simulator cycles included), then VmRSS is read
 * from /proc/<pid>/status once a second and the median is reported (MiB = 1,048,576 bytes). Baselines run
 * alongside: `node --import tsx -e "setInterval(()=>{},1000)"` and plain `node -e` (same clean env).
 * For information it also prints the anonymous/file-backed split, tsx's esbuild helper process (a child of
 * the gateway, not in its VmRSS) and the V8 heap from a diagnostic report (--report-on-signal, SIGUSR2), and
 * runs a second gateway with `--max-semi-space-size=1` (V8's young generation otherwise grows to 2 × 16 MiB
 * during start-up and stays committed while idle); --variant replaces that list, --no-variants drops it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  REPO_ROOT,
  childPids,
  commandLine,
  freePort,
  installReaper,
  machineLoad,
  median,
  printJson,
  round,
  rssDetail,
  rssMiB,
  sleep,
  spawnTs,
  stopChild,
} from './lib/common.ts';

const { values: opts } = parseArgs({
  options: {
    idle: { type: 'string', default: '20' },
    samples: { type: 'string', default: '5' },
    /** Extra gateways (for information) started with these node flags; repeatable. --no-variants: none. */
    variant: { type: 'string', multiple: true },
    'no-variants': { type: 'boolean', default: false },
  },
});
const IDLE_S = Number(opts.idle);
const SAMPLES = Number(opts.samples);
const TARGET_MIB = 100;
if (!opts.variant && !opts['no-variants']) opts.variant = ['--max-semi-space-size=1'];

const dir = mkdtempSync(join(tmpdir(), 'owg-bench-memory-'));
const started: ChildProcess[] = [];
async function cleanup(): Promise<void> {
  stopping = true;
  await Promise.all(started.map((child) => stopChild(child, 10_000)));
  rmSync(dir, { recursive: true, force: true });
}
installReaper(cleanup);

const cleanEnv = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? dir,
  ...extra,
});

function exitedEarly(child: ChildProcess, what: string): Promise<never> {
  return new Promise((_resolve, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${what} exited early (code ${code}, signal ${signal})`))),
  );
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  const died = exitedEarly(child, 'the gateway');
  died.catch(() => undefined);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) await died;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return (performance.now() - t0) / 1000;
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** SAMPLES readings of VmRSS, 1 s apart, for several processes at once. */
async function sample(pids: number[]): Promise<number[][]> {
  const values: number[][] = pids.map(() => []);
  for (let i = 0; i < SAMPLES; i++) {
    if (i > 0) await sleep(1_000);
    pids.forEach((pid, k) => {
      const value = rssMiB(pid);
      if (!Number.isFinite(value)) throw new Error(`process ${pid} (${commandLine(pid)}) is gone`);
      values[k]?.push(value);
    });
  }
  return values;
}

interface HeapReport {
  totalMemory: number;
  usedMemory: number;
  externalMemory?: number;
  mallocedMemory?: number;
}

/** Asks the gateway for a diagnostic report (SIGUSR2) and returns its V8 heap figures in MiB. */
async function heapReport(pid: number, reportDir: string): Promise<HeapReport | undefined> {
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const file = readdirSync(reportDir).find((f) => f.endsWith('.json'));
    if (!file) continue;
    try {
      const report = JSON.parse(readFileSync(join(reportDir, file), 'utf8')) as { javascriptHeap: Record<string, number> };
      const mib = (v: number | undefined) => (v === undefined ? undefined : round(v / 1048576, 1));
      const heap = report.javascriptHeap;
      return {
        totalMemory: mib(heap.totalMemory) as number,
        usedMemory: mib(heap.usedMemory) as number,
        externalMemory: mib(heap.externalMemory),
        mallocedMemory: mib(heap.mallocedMemory),
      };
    } catch {
      // still being written
    }
  }
  return undefined;
}

interface Gw {
  label: string;
  flags: string[];
  child: ChildProcess;
  port: number;
  reportDir: string;
  stdout: string;
}

/**
 * What `npm start` runs after its build (package.json: `npm run -s build && node <flags> <script>`), so the
 * figure is the one users get; the build runs first, as there.
 */
const START: { flags: string[]; script: string } = (() => {
  const start = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const node = /^npm run -s build && node (.+)$/.exec(start);
  if (!node) throw new Error(`unexpected start script: ${start}`);
  const args = (node[1] as string).split(/\s+/);
  return { flags: args.filter((arg) => arg.startsWith('--')), script: args.filter((arg) => !arg.startsWith('--')).at(-1) as string };
})();
const START_FLAGS = START.flags;

function startGateway(label: string, flags: string[], index: number, port: number): Gw {
  const reportDir = join(dir, `report-${index}`);
  mkdirSync(reportDir);
  const child = spawn(
    process.execPath,
    [...flags, '--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reportDir}`, '--report-compact', START.script],
    {
      cwd: REPO_ROOT,
      env: cleanEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dir, `gateway-${index}.db`)}`,
        LOG_LEVEL: 'warn',
        DEMO_INTERVAL_S: '10',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  started.push(child);
  const gw: Gw = { label, flags, child, port, reportDir, stdout: '' };
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    if (gw.stdout.length < 10_000) gw.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 10_000) stderr += chunk.toString();
  });
  child.once('exit', (code) => {
    if (code && !stopping) console.error(`${label} exited with code ${code}:\n${stderr.trim()}`);
  });
  return gw;
}

let stopping = false;

const loadAtStart = machineLoad();

async function main(): Promise<number> {
  const variants = opts.variant ?? [];
  console.log(
    `memory bench: gateway in demo mode (npm start: node ${START_FLAGS.join(' ')} ${START.script}), idle ${IDLE_S} s, then ${SAMPLES} VmRSS samples 1 s apart` +
      (variants.length ? `; for information also with node flags: ${variants.join(' | ')}` : '') +
      `; ${loadAtStart.cores} cores, load average ${loadAtStart.loadAvg1m}`,
  );
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const gateways: Gw[] = [];
  gateways.push(
    startGateway(`gateway (demo mode, npm start: ${START_FLAGS.join(' ') || 'no node flags'})`, START_FLAGS, 0, await freePort()),
  );
  for (const [i, flags] of variants.entries())
    gateways.push(startGateway(`gateway ${flags}`, flags.split(/\s+/).filter(Boolean), i + 1, await freePort()));
  // Baselines alongside, so all see the same machine state.
  const tsxBaseline = spawnTs('-e', { env: cleanEnv(), args: ['setInterval(()=>{},1000)'] });
  started.push(tsxBaseline);
  const nodeBaseline = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { cwd: REPO_ROOT, env: cleanEnv(), stdio: 'ignore' });
  started.push(nodeBaseline);

  const readyAfter = await Promise.all(gateways.map((gw) => waitReady(`http://127.0.0.1:${gw.port}/health/ready`, gw.child)));
  const main = gateways[0] as Gw;
  const mainPid = main.child.pid as number;
  const keyPrinted = /API key: \S+/.test(main.stdout);
  console.log(
    `gateway ready after ${(readyAfter[0] as number).toFixed(1)} s (port ${main.port}, pid ${mainPid}; demo API key printed on stdout: ${keyPrinted ? 'yes' : 'no'})`,
  );
  const atReady = rssMiB(mainPid);

  const died = Promise.race([
    ...gateways.map((gw) => exitedEarly(gw.child, gw.label)),
    exitedEarly(tsxBaseline, 'the tsx baseline'),
    exitedEarly(nodeBaseline, 'the node baseline'),
  ]);
  died.catch(() => undefined);
  await Promise.race([sleep(IDLE_S * 1000), died]);
  const pids = [...gateways.map((gw) => gw.child.pid as number), tsxBaseline.pid as number, nodeBaseline.pid as number];
  const samples = await Promise.race([sample(pids), died]);
  const rows = gateways.map((gw, i) => {
    const pid = gw.child.pid as number;
    const values = samples[i] ?? [];
    const helpers = childPids(pid).map((child) => ({
      pid: child,
      rss: rssMiB(child),
      command: commandLine(child).replace(REPO_ROOT + '/', ''),
    }));
    return { gw, values, rss: median(values), detail: rssDetail(pid), helpers };
  });
  const heaps = await Promise.all(gateways.map((gw) => heapReport(gw.child.pid as number, gw.reportDir)));
  const stillReady = (await fetch(`http://127.0.0.1:${main.port}/health/ready`).catch(() => undefined))?.status === 200;
  const tsxBase = samples[gateways.length] ?? [];
  const nodeBase = samples[gateways.length + 1] ?? [];

  const mainRow = rows[0] as (typeof rows)[number];
  const gwMedian = mainRow.rss;
  const tsxMedian = median(tsxBase);
  const nodeMedian = median(nodeBase);
  const pass = gwMedian < TARGET_MIB && stillReady;
  const list = (values: number[]) => values.map((v) => v.toFixed(1)).join(' ');
  const heapLine = (heap: HeapReport | undefined) => (heap ? `V8 heap used ${heap.usedMemory} of ${heap.totalMemory} MiB` : 'V8 heap ?');
  for (const [i, row] of rows.entries()) {
    console.log(
      `  ${row.gw.label.padEnd(36)} VmRSS median ${row.rss.toFixed(1).padStart(6)} MiB  samples ${list(row.values)}${i === 0 ? `  (at ready ${atReady.toFixed(1)})` : ''}`,
    );
    console.log(
      `  ${''.padEnd(36)}   anonymous ${row.detail.anon.toFixed(1)} + file-backed ${row.detail.file.toFixed(1)} MiB; ${heapLine(heaps[i])}`,
    );
    for (const h of row.helpers)
      console.log(`  ${''.padEnd(36)}   + child process ${h.rss.toFixed(1)} MiB (${h.command.slice(0, 70)}), not in its VmRSS`);
  }
  console.log(
    `  ${'node --import tsx -e (idle)'.padEnd(36)} VmRSS median ${tsxMedian.toFixed(1).padStart(6)} MiB  samples ${list(tsxBase)}`,
  );
  console.log(`  ${'node -e (idle, no tsx)'.padEnd(36)} VmRSS median ${nodeMedian.toFixed(1).padStart(6)} MiB  samples ${list(nodeBase)}`);
  console.log(`  gateway − node baseline: ${(gwMedian - nodeMedian).toFixed(1)} MiB (the gateway runs compiled, without tsx)`);
  console.log(
    `  target < ${TARGET_MIB} MiB (gateway VmRSS, default flags): ${gwMedian < TARGET_MIB ? 'PASS' : 'MISS'}${stillReady ? '' : '  (and /health/ready no longer answers 200!)'}`,
  );
  const helpersRss = mainRow.helpers.reduce((sum, h) => sum + (Number.isFinite(h.rss) ? h.rss : 0), 0);
  printJson({
    bench: 'memory',
    machineAtStart: loadAtStart,
    machineAtEnd: machineLoad(),
    idleSeconds: IDLE_S,
    gatewayRssMiB: round(gwMedian, 1),
    gatewayRssSamplesMiB: mainRow.values.map((v) => round(v, 1)),
    gatewayRssAtReadyMiB: round(atReady, 1),
    gatewayRssAnonMiB: round(mainRow.detail.anon, 1),
    gatewayRssFileMiB: round(mainRow.detail.file, 1),
    ...(heaps[0] ? { gatewayV8HeapMiB: heaps[0] } : {}),
    gatewayChildProcessesRssMiB: round(helpersRss, 1),
    variants: rows.slice(1).map((row, i) => ({ nodeFlags: row.gw.flags.join(' '), rssMiB: round(row.rss, 1), v8HeapMiB: heaps[i + 1] })),
    tsxBaselineRssMiB: round(tsxMedian, 1),
    nodeBaselineRssMiB: round(nodeMedian, 1),
    overNodeBaselineMiB: round(gwMedian - nodeMedian, 1),
    readyAfterSeconds: round(readyAfter[0] as number, 1),
    targetMiB: TARGET_MIB,
    pass,
  });
  stopping = true;
  return stillReady ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`memory bench failed: ${(error as Error).message}`);
} finally {
  await cleanup();
}
process.exit(code);
