/** The faults of bench/faults.ts: how each is injected and ended, and the targets its row is judged by. */
import type { FaultRig } from './fault-rig.ts';
import { scrape, type CounterWindow } from './prom-scrape.ts';

export interface RowFigures {
  unaccounted: number;
  lost: number;
  reads5xx: number;
  freshS: number;
}

export interface Fault {
  name: string;
  label: string;
  seconds: number;
  quickSeconds: number;
  /** What recover() does, for the notes. */
  recoveryAction: string;
  inject(rig: FaultRig, window: CounterWindow, seconds: number): Promise<void>;
  recover(rig: FaultRig): Promise<void>;
  /** The targets missed, empty when the row passes. */
  verdict(row: RowFigures): string[];
}

const POISON_CHARGEPOINT = 'openWB/chargepoint/1234567890123456789012345678901234567890/get/power';

const targets =
  (extra: { noLoss?: boolean; no5xx?: boolean; freshWithinS?: number } = {}) =>
  (row: RowFigures): string[] => {
    const misses: string[] = [];
    if (row.unaccounted !== 0) misses.push(`${row.unaccounted} unaccounted`);
    if (extra.noLoss && row.lost !== 0) misses.push(`${row.lost} lost`);
    if (extra.no5xx && row.reads5xx !== 0) misses.push(`${row.reads5xx} × 5xx`);
    if (extra.freshWithinS !== undefined && !(row.freshS <= extra.freshWithinS)) misses.push(`fresh > ${extra.freshWithinS} s`);
    return misses;
  };

const nothing = async () => undefined;

export const FAULTS: readonly Fault[] = [
  {
    name: 'baseline',
    recoveryAction: 'nothing',
    label: 'none (baseline)',
    seconds: 10,
    quickSeconds: 4,
    inject: nothing,
    recover: nothing,
    verdict: targets({ noLoss: true, no5xx: true }),
  },
  {
    name: 'broker',
    recoveryAction: 'broker started again',
    label: 'broker down',
    seconds: 30,
    quickSeconds: 8,
    inject: (rig) => rig.broker.kill(),
    recover: (rig) => rig.broker.start(),
    verdict: targets({ freshWithinS: 5 }),
  },
  {
    name: 'redis',
    recoveryAction: 'redis-server started again, empty',
    label: 'Redis down (empty)',
    seconds: 20,
    quickSeconds: 6,
    inject: (rig) => rig.redis.stop(),
    recover: (rig) => rig.redis.start(),
    verdict: targets({ noLoss: true, no5xx: true }),
  },
  {
    name: 'mariadb',
    recoveryAction: 'proxy listening again',
    label: 'MariaDB cut',
    seconds: 120,
    quickSeconds: 8,
    inject: (rig) => rig.proxy.cut(),
    recover: (rig) => rig.proxy.restore(),
    verdict: targets({ noLoss: true, no5xx: true }),
  },
  {
    name: 'kill',
    recoveryAction: 'gateway restarted until /health/live answers',
    label: 'gateway SIGKILL',
    seconds: 0,
    quickSeconds: 0,
    inject: async (rig, window) => {
      // What the dying process counted is banked first: its successor's counters start at zero.
      window.restart(await scrape(rig.url));
      await rig.gateway.kill();
    },
    recover: (rig) => rig.gateway.start(),
    verdict: targets(),
  },
  {
    name: 'poison',
    recoveryAction: 'poison chargepoint removed',
    label: 'poison messages',
    seconds: 10,
    quickSeconds: 6,
    inject: async (rig, _window, seconds) => {
      const cycles = Math.max(1, Math.round(seconds / rig.options.intervalS));
      rig.feed.publishOnce(POISON_CHARGEPOINT, '100');
      rig.feed.override('openWB/chargepoint/1/set/rfid', JSON.stringify('R'.repeat(250)), cycles);
      rig.feed.override('openWB/chargepoint/2/get/imported', '1e308', 2);
      rig.feed.override('openWB/chargepoint/1/get/imported', '0', 2);
    },
    // openWB removes a component with empty retained payloads.
    recover: async (rig) => rig.feed.publishOnce(POISON_CHARGEPOINT, ''),
    verdict: targets(),
  },
];
