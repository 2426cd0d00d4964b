/**
 * The statistics recorder. On its own clock, at every RECORD_INTERVAL_S boundary, it samples the live
 * store (never MQTT), turns fresh values into samples and moves each chargepoint's charging session
 * along. Everything goes through the outage buffer to the database (RecorderWrites), so an unreachable
 * database costs nothing until the buffer is full; a row the database refuses is quarantined and never
 * blocks another.
 * Every expected sample is written, counted as a gap, rejected, dropped, spooled or still buffered;
 * the ticks no instance took before this one took the lock are counted as gaps at its first tick.
 * Only the instance holding the recorder lock samples.
 *
 * Tests drive it deterministically with an injected clock: `sampleOnce(at)` then `flush()`; `start()`
 * replays the spool file and runs the real timer; `stop()` flushes with a deadline and spools the rest.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { ChargePointDto, SiteDto, VehicleDto } from '../api/types.ts';
import type { MaybePromise } from '../maybe-async.ts';
import type { Tariff } from '../sessions/tariff.ts';
import { GAP_REASONS, SeriesLedger, type GapReason } from './ledger.ts';
import type { LockState, LockStatus, RecorderLock } from './lock.ts';
import type { RecorderMetrics } from './metrics.ts';
import { NOT_RECORDING_LOOKBACK_MS, notRecorded } from './not-recording.ts';
import { RecorderWrites } from './recorder-writes.ts';
import { readingsOf, type Reading } from './sampling.ts';
import { SessionTracker } from './session-tracker.ts';
import { SessionAnnouncer } from './session-events.ts';
import type { GatewayEvents } from '../events/gateway-events.ts';

/** The part of LiveService the recorder reads: the same read models and staleness rule as the API. */
export interface LiveReader {
  listChargePoints(): Promise<ChargePointDto[]>;
  getSite(): MaybePromise<SiteDto>;
  listVehicles(): Promise<VehicleDto[]>;
}

export interface RecorderOptions {
  intervalMs: number;
  rawRetentionMs: number;
  bufferSize: number;
  tariff: Tariff;
  /** Where stop() saves what it could not write, replayed by start(); without it the rest is logged as lost. */
  spoolFile?: string;
  /** How long stop() tries to write what is buffered before spooling it. */
  shutdownFlushMs?: number;
  /** Bounds of the energy counted from meter counters, W (defaults: DEFAULT_MAX_POWER_W). */
  meterMaxPowerW?: { chargepoint: number; site: number };
}

export interface RecorderDeps {
  live: LiveReader;
  db: Database;
  lock: RecorderLock;
  metrics: RecorderMetrics;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  options: RecorderOptions;
  now?: () => number;
  newId?: () => string;
  /** Told of each session started, updated or ended, once stored (the live stream's `session` events). */
  events?: GatewayEvents;
}

export interface RecorderStatus {
  active: boolean;
  bufferedSamples: number;
  bufferedSessions: number;
  lostSamples: number;
  lostSessions: number;
  /** Set while the database refuses writes. */
  lastError: string | undefined;
  /** When a write last completed (ms); undefined before the first. */
  lastWriteAt: number | undefined;
  /** Set while this instance records but has not written for STALLED_AFTER_INTERVALS intervals (ms since it last did). */
  stalledForMs: number | undefined;
}

export const STALLED_AFTER_INTERVALS = 3;
const DEFAULT_SHUTDOWN_FLUSH_MS = 5_000;

export class Recorder {
  private readonly writes: RecorderWrites;
  private readonly sessions: SessionTracker;
  private readonly announcer: SessionAnnouncer | undefined;
  private readonly ledger = new SeriesLedger();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  /** The boundary of the last tick the timer ran. */
  private lastScheduled = -Infinity;
  private stopped = true;
  private active = false;
  private lockState: LockState | undefined;
  private sampling: Promise<void> | undefined;
  private activeSince = 0;
  /** The first tick since this instance took the lock, until the ticks no recorder took before it are counted. */
  private firstTick: number | undefined;
  private liveFailures = 0;

  constructor(private readonly deps: RecorderDeps) {
    this.now = deps.now ?? Date.now;
    const announcer = deps.events ? new SessionAnnouncer(deps.db, deps.events, deps.logger) : undefined;
    this.announcer = announcer;
    this.writes = new RecorderWrites({
      db: deps.db,
      metrics: deps.metrics,
      logger: deps.logger,
      now: this.now,
      options: deps.options,
      onSessionWritten: announcer && ((session) => announcer.written(session)),
    });
    this.sessions = new SessionTracker({
      db: deps.db,
      buffer: this.writes.buffer,
      store: this.writes.store,
      metrics: deps.metrics,
      logger: deps.logger,
      now: this.now,
      onStarted: announcer && ((session) => announcer.started(session)),
      detector: {
        intervalMs: deps.options.intervalMs,
        tariff: deps.options.tariff,
        newId: deps.newId,
        maxPowerW: deps.options.meterMaxPowerW?.chargepoint,
      },
    });
  }

  /** The latest interval boundary at or before `at`. */
  boundary(at = this.now()): number {
    const interval = this.deps.options.intervalMs;
    return at - (at % interval);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.writes.replaySpool((session) => this.sessions.restore(session));
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const flushed = await this.writes.writeWithin(this.sampling, this.deps.options.shutdownFlushMs ?? DEFAULT_SHUTDOWN_FLUSH_MS);
    if (this.active) await this.deps.lock.release();
    this.setActive(false);
    this.writes.spoolRest(flushed);
  }

  status(): RecorderStatus {
    const { buffer, lastError, lastWriteAt } = this.writes;
    const sinceWrite = this.now() - Math.max(lastWriteAt ?? 0, this.activeSince);
    const stalled = this.active && sinceWrite > STALLED_AFTER_INTERVALS * this.deps.options.intervalMs;
    return {
      active: this.active,
      bufferedSamples: buffer.sampleCount,
      bufferedSessions: buffer.sessionCount,
      lostSamples: buffer.lostSamples,
      lostSessions: buffer.lostSessions,
      lastError,
      lastWriteAt,
      stalledForMs: stalled ? sinceWrite : undefined,
    };
  }

  /** One timer tick: sample, then write in the background (a slow database never delays sampling). */
  async tick(at = this.boundary()): Promise<void> {
    await this.sampleOnce(at);
    if (!this.writes.writing) void this.flush().catch(() => undefined);
  }

  /**
   * Takes (or renews) the lock and, while held, samples the live store at `at` into the buffer and
   * advances the sessions. Returns false when this instance does not record.
   */
  async sampleOnce(at = this.boundary()): Promise<boolean> {
    // One at a time, in tick order: a tick that waits for the database must not overlap the next one.
    const run = (this.sampling ?? Promise.resolve()).then(() => this.sampleUnguarded(at));
    this.sampling = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Writes everything buffered; waits for a write already under way first. Throws when the database fails. */
  flush(): Promise<void> {
    return this.writes.flush();
  }

  private schedule(): void {
    if (this.stopped) return;
    const interval = this.deps.options.intervalMs;
    const now = this.now();
    // A timer may fire a millisecond early (libuv's clock against Date.now()): never sample a boundary twice.
    const next = Math.max(this.boundary(now), this.lastScheduled) + interval;
    this.timer = setTimeout(() => {
      // Held up past whole intervals (a blocked event loop, a suspended VM, a slow start), the timer samples the
      // latest boundary; the ones before it never ran (before the first tick, they are counted as not-recording).
      const at = Math.max(next, this.boundary());
      if (this.active) this.countGaps('missed-tick', ((at - next) / interval) * this.ledger.size);
      this.lastScheduled = at;
      this.tick(at).catch((error: unknown) => this.deps.logger.error({ err: (error as Error).message }, 'recorder tick failed'));
      this.schedule();
    }, next - now);
  }

  private async sampleUnguarded(at: number): Promise<boolean> {
    const lock = await this.deps.lock.acquire();
    this.noteLock(lock, at);
    if (lock.state !== 'held' && lock.state !== 'held-offline') return false;
    let chargepoints: ChargePointDto[];
    let site: SiteDto;
    let vehicles: VehicleDto[];
    try {
      [chargepoints, site, vehicles] = await Promise.all([
        this.deps.live.listChargePoints(),
        this.deps.live.getSite(),
        this.deps.live.listVehicles(),
      ]);
    } catch (error) {
      if (this.liveFailures++ === 0) {
        this.deps.logger.warn({ err: (error as Error).message }, 'recorder cannot read the live store: its ticks are counted as gaps');
      }
      this.countGaps('live-store-unavailable', this.ledger.size);
      return true;
    }
    if (this.liveFailures > 0) {
      this.deps.logger.info({ ticks: this.liveFailures }, 'recorder reads the live store again');
      this.liveFailures = 0;
    }
    const readings = readingsOf({ chargepoints, site, vehicles });
    const { samples, gaps } = this.ledger.account(readings, at);
    this.deps.metrics.samplesExpected.inc(samples.length);
    this.deps.metrics.samplesRecorded.inc(samples.length);
    for (const reason of GAP_REASONS) this.countGaps(reason, gaps[reason] ?? 0);
    this.writes.addSamples(samples);
    await this.sessions.advance(chargepoints, at);
    // Last: the samples are buffered even when the database hangs.
    await this.countNotRecorded(readings);
    this.writes.updateGauges();
    return true;
  }

  private countGaps(reason: GapReason, count: number): void {
    if (count <= 0) return;
    this.deps.metrics.sampleGaps.inc({ reason }, count);
    this.deps.metrics.samplesExpected.inc(count);
  }

  /**
   * Counts the ticks before this instance's first one that no recorder took, and expects the series recorded
   * before from now on; retried at the next tick while the database cannot be read.
   */
  private async countNotRecorded(readings: readonly Reading[]): Promise<void> {
    const firstTick = this.firstTick;
    if (firstTick === undefined) return;
    const { intervalMs, rawRetentionMs } = this.deps.options;
    const buffered = this.writes.buffer.newestSamples(firstTick);
    const lookbackMs = Math.min(NOT_RECORDING_LOOKBACK_MS, rawRetentionMs);
    const live = readings.map((r) => r.series);
    const missed = await notRecorded(this.deps.db, { firstTick, intervalMs, lookbackMs, live, buffered }).catch(() => null);
    if (missed === null) return;
    this.firstTick = undefined;
    if (!missed) return;
    const gaps = this.ledger.expect(missed.due, readings);
    for (const reason of GAP_REASONS) this.countGaps(reason, gaps[reason] ?? 0);
    if (missed.samples === 0) return;
    this.countGaps('not-recording', missed.samples);
    const [from, to] = [new Date(missed.from).toISOString(), new Date(missed.to).toISOString()];
    const series = missed.due.length;
    this.deps.logger.warn(
      { from, to, samples: missed.samples, series },
      `recorder was not running from ${from} to ${to}: ${missed.samples} samples of ${series} series not recorded`,
    );
  }

  /** Logs what really happened to the lock, once per change. */
  private noteLock(lock: LockStatus, at: number): void {
    const previous = this.lockState;
    this.lockState = lock.state;
    const log = this.deps.logger;
    if (lock.state === 'held' || lock.state === 'held-offline') {
      if (!this.active) {
        const own = lock.tookOverOwn ? " (this instance's previous lock, taken over at once)" : '';
        log.info(`recorder lock taken${own}: this instance records statistics`);
        this.sessions.reset(); // another instance may have moved the sessions on: reload them
        this.announcer?.forget();
        this.ledger.clear();
        this.activeSince = this.now();
        this.firstTick = at;
        this.setActive(true);
      } else if (lock.state === 'held-offline' && previous === 'held') {
        log.warn(
          { err: lock.error },
          'Redis cannot be reached: this instance keeps recording and re-asserts the recorder lock when it answers',
        );
      } else if (lock.state === 'held' && previous === 'held-offline') {
        log.info('Redis answers again: recorder lock re-asserted');
      }
      return;
    }
    if (lock.state === 'other') {
      if (this.active) log.warn({ holder: lock.holder }, 'recorder lock lost: another instance holds it and records now');
      this.sessions.reset();
      this.announcer?.forget();
      this.ledger.clear();
      this.firstTick = undefined;
    } else if (previous !== 'unreachable') {
      log.warn({ err: lock.error }, 'recorder waits: Redis cannot be reached to take the recorder lock');
    }
    this.setActive(false);
  }

  private setActive(active: boolean): void {
    this.active = active;
    this.deps.metrics.active.set(active ? 1 : 0);
  }
}
