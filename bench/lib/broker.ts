/**
 * The MQTT broker a bench measures, with its own process id and log, so that broker CPU and "dropped" warnings
 * are read from the broker the messages really go through.
 *
 * - `BENCH_MQTT_URL` unset: the bench starts its own Mosquitto on a free loopback port, logging to its stdout,
 *   with Mosquitto's default queue limits or, with `tuned`, unlimited queues and TCP_NODELAY.
 * - `BENCH_MQTT_URL` set: that broker; its process is found by the listening port when it runs on this machine,
 *   and its warnings are read from `BENCH_MQTT_LOG` when given (otherwise reported as unknown).
 */
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { PrivateMosquitto } from '../../test/support/mosquitto-server.ts';

export interface BenchBroker {
  url: string;
  /** Where the broker came from, for the bench's header line. */
  label: string;
  pid: number | undefined;
  /** "Outgoing messages are being dropped" warnings for clients whose id contains `clientIdPart` since `mark`. */
  droppedWarnings(mark: number, clientIdPart: string): number | undefined;
  /** A position in the broker's log; warnings are counted from here. */
  logMark(): number;
  close(): Promise<void>;
}

const TUNED = ['max_inflight_messages 0', 'max_queued_messages 0', 'set_tcp_nodelay true'];

export async function benchBroker(options: { tuned?: boolean } = {}): Promise<BenchBroker> {
  const external = process.env.BENCH_MQTT_URL;
  return external ? externalBroker(external, process.env.BENCH_MQTT_LOG) : ownMosquitto(options.tuned ?? false);
}

async function ownMosquitto(tuned: boolean): Promise<BenchBroker> {
  const broker = await PrivateMosquitto.start({ captureLog: true, settings: tuned ? TUNED : [] });
  return {
    url: broker.url,
    label: `own Mosquitto (pid ${broker.pid}, ${tuned ? 'tuned: unlimited queues, TCP_NODELAY' : "Mosquitto's default limits"})`,
    pid: broker.pid,
    logMark: () => broker.logLines.length,
    droppedWarnings: (mark, clientIdPart) => countDropped(broker.logLines.slice(mark), clientIdPart),
    close: () => broker.close(),
  };
}

function externalBroker(url: string, logFile: string | undefined): BenchBroker {
  const port = Number(new URL(url).port || 1883);
  const pid = pidListeningOn(port);
  const size = () => (logFile ? statSync(logFile).size : 0);
  return {
    url,
    label: `BENCH_MQTT_URL ${url} (pid ${pid ?? 'not on this machine'}, log ${logFile ?? 'unknown: set BENCH_MQTT_LOG'})`,
    pid,
    logMark: size,
    droppedWarnings: (mark, clientIdPart) =>
      logFile ? countDropped(readFileSync(logFile).subarray(mark).toString('utf8').split('\n'), clientIdPart) : undefined,
    close: async () => undefined,
  };
}

function countDropped(lines: readonly string[], clientIdPart: string): number {
  return lines.filter((line) => line.includes('dropped') && line.includes(clientIdPart)).length;
}

/** The process listening on a TCP port of this machine (IPv4 or IPv6), from /proc: socket inode → fd owner. */
function pidListeningOn(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      // local_address is "ADDR:PORT"; state 0A is LISTEN.
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (match && inodes.has(match[1]!)) return Number(entry);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined;
}
