/**
 * Runs the benches one after another, each in its own process (`node --import tsx bench/<name>.ts`),
 * echoes their output, then prints a summary and one JSON line with every bench's final JSON.
 *
 *   node --import tsx bench/run-all.ts [http] [ingest] [memory] [auth] [history] [control] [faults] [stream] [series] [dashboard]      (npm run bench; default: all)
 *
 * Exit code: 0 when every bench ran (a missed performance target is reported, not an error), 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT, printJson } from './lib/common.ts';

const ALL = ['http', 'ingest', 'memory', 'auth', 'history', 'control', 'faults', 'stream', 'series', 'dashboard'] as const;
const selected = process.argv.slice(2);
for (const name of selected) {
  if (!(ALL as readonly string[]).includes(name)) {
    console.error(`unknown bench ${name}; choose from ${ALL.join(', ')}`);
    process.exit(2);
  }
}
const names = selected.length ? selected : [...ALL];
/** faults waits out real outages (MariaDB alone 2 min) and recoveries; stream opens 5,000 connections after six measured runs. */
const TIME_LIMIT_MIN: Readonly<Record<string, number>> = { faults: 15, stream: 12 };
const timeLimitMs = (name: string) => (TIME_LIMIT_MIN[name] ?? 8) * 60_000;

interface Outcome {
  name: string;
  exitCode: number | null;
  seconds: number;
  result?: Record<string, unknown>;
}

function run(name: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastJson: Record<string, unknown> | undefined;
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          lastJson = JSON.parse(line) as Record<string, unknown>;
        } catch {
          // not the result line
        }
      }
    });
    const timer = setTimeout(() => {
      console.error(`bench ${name} exceeded ${timeLimitMs(name) / 60_000} min: stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    }, timeLimitMs(name));
    const stop = () => child.kill('SIGTERM');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve({ name, exitCode, seconds: (performance.now() - started) / 1000, result: lastJson });
    });
  });
}

const outcomes: Outcome[] = [];
for (const name of names) {
  console.log(`\n===== bench/${name}.ts =====`);
  outcomes.push(await run(name));
}

const headline = (o: Outcome): string => {
  const r = o.result;
  if (!r) return 'no result';
  const pass = r.pass ? 'PASS' : 'MISS';
  if (o.name === 'http') {
    const g = r.gateway as { reqPerSec: number; p50Ms: number; p99Ms: number };
    const b = r.bare as { reqPerSec: number; p50Ms: number; p99Ms: number };
    return `gateway ${g.reqPerSec} req/s vs bare Express ${b.reqPerSec} req/s → ratio ${String(r.ratio)} (target ≥ ${String(r.targetRatio)}) ${pass}`;
  }
  if (o.name === 'ingest') {
    return `best zero-loss ${String(r.bestZeroLossMsgPerSec)} msg/s (QoS 0 ${String(r.bestZeroLossMsgPerSecQos0)}, QoS 1 ${String(r.bestZeroLossMsgPerSecQos1)}; target ≥ ${String(r.targetMsgPerSec)}) ${pass}`;
  }
  if (o.name === 'memory') {
    return `idle RSS ${String(r.gatewayRssMiB)} MiB vs node+tsx baseline ${String(r.tsxBaselineRssMiB)} MiB (target < ${String(r.targetMiB)}) ${pass}`;
  }
  if (o.name === 'faults') {
    const rows = r.rows as { fault: string; unaccounted: number; misses: string[] }[];
    const passed = rows.filter((row) => row.misses.length === 0).length;
    return `${passed}/${rows.length} fault rows meet their targets; unaccounted samples ${rows.map((row) => `${row.fault} ${row.unaccounted}`).join(', ')} ${pass}`;
  }
  if (o.name === 'stream') {
    const latency = r.latency as Record<string, { p99Ms: number; floorP99Ms: number }>;
    const memory = r.memory as { perConnectionKiB: number } | undefined;
    const sizes = Object.entries(latency).map(([size, l]) => `${size} clients p99 ${l.p99Ms} ms (floor ${l.floorP99Ms})`);
    return `${sizes.join(', ')}; ${memory?.perConnectionKiB ?? '?'} KiB per idle connection ${pass}`;
  }
  if (o.name === 'series') {
    const rows = r.results as { database: string; pointsPerSecond: number; aggregateMedianMs: number; naiveMedianMs: number }[];
    const figures = rows.map(
      (row) => `${row.database} ${row.pointsPerSecond} points/s, year per day ${row.aggregateMedianMs} ms (naive ${row.naiveMedianMs} ms)`,
    );
    return `${figures.join('; ')} (targets ≥ ${String(r.targetPointsPerSecond)} points/s, < ${String(r.targetMs)} ms) ${pass}`;
  }
  return pass;
};

console.log('\n===== summary =====');
for (const o of outcomes) {
  console.log(
    `  ${o.name.padEnd(7)} ${o.exitCode === 0 ? 'ran' : `FAILED (exit ${o.exitCode})`} in ${o.seconds.toFixed(0)} s: ${headline(o)}`,
  );
}
printJson({
  bench: 'all',
  results: Object.fromEntries(outcomes.map((o) => [o.name, { exitCode: o.exitCode, seconds: Math.round(o.seconds), ...(o.result ?? {}) }])),
});
process.exit(outcomes.every((o) => o.exitCode === 0) ? 0 : 1);
