/** Small helpers shared by the benches: services, child processes, statistics, clean-up. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MQTT_URL = process.env.BENCH_MQTT_URL || 'mqtt://127.0.0.1:1883';
export const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';

/** `bench_<label>_<pid>_<time>_<random>`: safe as an MQTT topic segment and a Redis key prefix. */
export function uniqueId(label: string): string {
  return `bench_${label}_${process.pid.toString(36)}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const round = (value: number, digits = 0) => Number(value.toFixed(digits));
export const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function tcpOpen(url: string, timeoutMs = 2_000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Throws a readable error naming every missing service. */
export async function requireServices(which: { mqtt?: boolean; redis?: boolean }): Promise<void> {
  const missing: string[] = [];
  if (which.mqtt && !(await tcpOpen(MQTT_URL))) missing.push(`Mosquitto at ${MQTT_URL}`);
  if (which.redis) {
    const redis = new Redis(REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch {
      missing.push(`Redis at ${REDIS_URL}`);
    } finally {
      redis.disconnect();
    }
  }
  if (missing.length) {
    throw new Error(`bench needs ${missing.join(' and ')}, which did not answer. Start them with: bash scripts/ensure-services.sh`);
  }
}

/** Deletes every Redis key under `prefix` (SCAN, bounded). Returns how many were deleted. */
export async function deleteRedisPrefix(prefix: string): Promise<number> {
  if (!/^bench_[\w.-]+[:_]?$/.test(prefix)) throw new Error(`refusing to delete Redis keys under a non-bench prefix: ${prefix}`);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  let deleted = 0;
  try {
    let cursor = '0';
    for (let i = 0; i < 10_000; i++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Clears retained topics (publishes an empty retained payload to each). */
export async function clearRetained(topics: Iterable<string>): Promise<void> {
  const list = [...topics];
  if (list.length === 0) return;
  const client = await mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0, connectTimeout: 5_000 });
  try {
    for (const topic of list) await client.publishAsync(topic, '', { retain: true, qos: 1 });
  } finally {
    await client.endAsync();
  }
}

/** A free TCP port on loopback (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MiB (VmRSS from /proc), or NaN when it is gone. */
export function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** VmRSS split into anonymous memory (heaps, malloc) and file-backed pages (binary, shared libraries), MiB. */
export function rssDetail(pid: number): { rss: number; anon: number; file: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return { rss: Number.NaN, anon: Number.NaN, file: Number.NaN };
  }
}

/** Direct children of a process, started from any of its threads (/proc/<pid>/task/<tid>/children). */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        pids.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
      } catch {
        // thread gone
      }
    }
  } catch {
    // process gone
  }
  return pids;
}

/** The command line of a process, for labels. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '?';
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14, 15)
  } catch {
    return Number.NaN;
  }
}

/** Children started by this process; `stopAll` on exit so none outlives a crashed bench. */
const children = new Set<ChildProcess>();

export interface TsChildOptions {
  env?: Record<string, string | undefined>;
  nodeArgs?: string[];
  args?: string[];
  ipc?: boolean;
  stdout?: 'inherit' | 'pipe' | 'ignore';
  stderr?: 'inherit' | 'pipe' | 'ignore';
}

/** `node --import tsx <file>` as a child process (cwd = repo root), optionally with an IPC channel. */
export function spawnTs(file: string, options: TsChildOptions = {}): ChildProcess {
  const stdio: ('inherit' | 'pipe' | 'ignore' | 'ipc')[] = ['ignore', options.stdout ?? 'inherit', options.stderr ?? 'inherit'];
  if (options.ipc) stdio.push('ipc');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', file, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: options.env ?? process.env,
    stdio,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function killAllSync(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * For the orchestrating process: on Ctrl-C / SIGTERM run `cleanup` (bounded to 10 s), then kill any child
 * still alive; children are also killed on a normal exit.
 */
export function installReaper(cleanup: () => Promise<void> = async () => undefined): void {
  process.once('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void Promise.race([cleanup().catch(() => undefined), sleep(10_000)]).finally(() => {
        killAllSync();
        process.exit(130);
      });
    });
  }
}

/** The next IPC message from `child` that satisfies `accept`; rejects on exit or timeout. */
export function nextMessage<T>(
  child: ChildProcess,
  accept: (message: unknown) => message is T,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown) => {
      if (!accept(message)) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`child exited (code ${code}, signal ${signal}) while waiting for ${what}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export const isType =
  <T extends { type: string }>(type: T['type']) =>
  (message: unknown): message is T =>
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

/** Load average and core count, printed by every bench so a noisy machine shows in the results. */
export function machineLoad(): { cores: number; loadAvg1m: number } {
  return { cores: os.cpus().length, loadAvg1m: Number(os.loadavg()[0]?.toFixed(2)) };
}

/** Prints the final machine-readable line every bench ends with (one JSON object). */
export function printJson(result: object): void {
  console.log(JSON.stringify(result));
}

/**
 * The environment of a gateway under load on loopback: unique broker and Redis prefixes, its own SQLite
 * file, and the highest allowed rate limits so the
 * limiter still runs on every request without refusing any (load from one client would trip it at once).
 */
export function benchGatewayEnv(options: { prefix: string; dir: string; redis?: boolean }): Record<string, string> {
  const maxLimit = '1000000000';
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    OPENWB_MQTT_URL: MQTT_URL,
    OPENWB_TOPIC_PREFIX: `${options.prefix}/`,
    ...(options.redis === false ? {} : { REDIS_URL, REDIS_KEY_PREFIX: `${options.prefix}:` }),
    DATABASE_URL: `sqlite:${join(options.dir, 'gateway.db')}`,
    RECORDER_ENABLED: 'false',
    RATE_LIMIT_IP_PER_MIN: maxLimit,
    RATE_LIMIT_KEY_PER_MIN: maxLimit,
    RATE_LIMIT_KEY_PER_DAY: maxLimit,
  };
}
