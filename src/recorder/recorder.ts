/**
 * The statistics recorder. On its own clock, at every RECORD_INTERVAL_S boundary, it samples the live
 * store (never MQTT), turns fresh values into samples and moves each chargepoint's charging session
 * along. Everything goes through the outage buffer to the database, so an unreachable database costs
 * nothing until the buffer is full. Only the instance holding the recorder lock does any of this.
 *
 * Tests drive it deterministically with an injected clock: `sampleOnce(at)` then `flush()`; `start()`
 * runs the real timer.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { MaybePromise } from '../maybe-async.ts';
import { SampleWriter } from '../history/sample-writer.ts';
import { pruneSamples } from '../history/retention.ts';
import type { ChargePointDto, SiteDto, VehicleDto } from '../api/types.ts';
import { observationOf, observe } from '../sessions/detector.ts';
import type { Session } from '../sessions/model.ts';
import { SessionRepository } from '../sessions/session-repository.ts';
import type { Tariff } from '../sessions/tariff.ts';
import type { RecorderLock } from './lock.ts';
import type { RecorderMetrics } from './metrics.ts';
import { OutageBuffer } from './outage-buffer.ts';
import { samplesOf } from './sampling.ts';

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
}

export interface RecorderStatus {
  active: boolean;
  bufferedSamples: number;
  bufferedSessions: number;
  lostSamples: number;
  lostSessions: number;
  /** Set while the database refuses writes. */
  lastError: string | undefined;
}

const WRITE_BATCH = 5_000;
const PRUNE_EVERY_MS = 3_600_000;
const OPEN_RELOAD_BACKOFF_MS = 30_000;

export class Recorder {
  private readonly buffer: OutageBuffer;
  private readonly writer: SampleWriter;
  private readonly sessionsRepo: SessionRepository;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  /** The boundary of the last scheduled tick. */
  private lastScheduled = -Infinity;
  private stopped = true;
  private active = false;
  /** Open sessions by chargepoint; undefined until loaded from the database after taking the lock. */
  private open: Map<string, Session> | undefined;
  private flushing: Promise<void> | undefined;
  private sampling: Promise<void> | undefined;
  private lastError: string | undefined;
  private lastPruneAt = Number.NEGATIVE_INFINITY;
  private openLoadFailedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: RecorderDeps) {
    this.buffer = new OutageBuffer(deps.options.bufferSize);
    this.writer = new SampleWriter(deps.db);
    this.sessionsRepo = new SessionRepository(deps.db);
    this.now = deps.now ?? Date.now;
  }

  /** The latest interval boundary at or before `at`. */
  boundary(at = this.now()): number {
    const interval = this.deps.options.intervalMs;
    return at - (at % interval);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sampling?.catch(() => undefined);
    // One last attempt to write what is buffered; an unreachable database must not hold up shutdown.
    await Promise.race([this.flush().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    if (this.active) await this.deps.lock.release();
    this.setActive(false);
  }

  status(): RecorderStatus {
    return {
      active: this.active,
      bufferedSamples: this.buffer.sampleCount,
      bufferedSessions: this.buffer.sessionCount,
      lostSamples: this.buffer.lostSamples,
      lostSessions: this.buffer.lostSessions,
      lastError: this.lastError,
    };
  }

  /** One timer tick: sample, then write in the background (a slow database never delays sampling). */
  async tick(at = this.boundary()): Promise<void> {
    await this.sampleOnce(at);
    if (!this.flushing) void this.flush().catch(() => undefined);
  }

  /**
   * Takes (or renews) the lock and, while held, samples the live store at `at` into the buffer and
   * advances the sessions. Returns false when another instance records.
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
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    const run = this.writeBuffered();
    this.flushing = run;
    try {
      await run;
    } finally {
      this.flushing = undefined;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const interval = this.deps.options.intervalMs;
    const now = this.now();
    // A timer may fire a millisecond early (libuv's clock against Date.now()): never sample a boundary twice.
    const next = Math.max(this.boundary(now), this.lastScheduled) + interval;
    this.lastScheduled = next;
    this.timer = setTimeout(() => {
      this.tick(next).catch((error: unknown) => this.deps.logger.error({ err: (error as Error).message }, 'recorder tick failed'));
      this.schedule();
    }, next - now);
  }

  private async sampleUnguarded(at: number): Promise<boolean> {
    const held = await this.deps.lock.acquire();
    if (!held) {
      if (this.active) this.deps.logger.warn('recorder lock lost: another instance records now');
      this.open = undefined;
      this.setActive(false);
      return false;
    }
    if (!this.active) {
      this.deps.logger.info('recorder lock taken: this instance records statistics');
      this.open = undefined; // another instance may have moved the sessions on: reload them
      this.setActive(true);
    }
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
      this.deps.logger.warn({ err: (error as Error).message }, 'recorder skipped a tick: the live store cannot be read');
      return true;
    }
    const samples = samplesOf({ chargepoints, site, vehicles }, at);
    this.deps.metrics.samplesRecorded.inc(samples.length);
    const dropped = this.buffer.addSamples(samples);
    if (dropped > 0) this.deps.metrics.samplesDropped.inc(dropped);
    await this.advanceSessions(chargepoints, at);
    this.updateGauges();
    return true;
  }

  private async advanceSessions(chargepoints: readonly ChargePointDto[], at: number): Promise<void> {
    if (!this.open) {
      if (this.now() - this.openLoadFailedAt < OPEN_RELOAD_BACKOFF_MS) return;
      try {
        const open = await this.sessionsRepo.listOpen();
        // Buffered updates not yet written are newer than what the database holds.
        for (const pending of this.buffer.pendingSessions()) {
          const index = open.findIndex((s) => s.id === pending.id);
          if (index >= 0) open.splice(index, 1);
          if (pending.end === null) open.push(pending);
        }
        this.open = new Map(open.map((s) => [s.chargepointId, s]));
      } catch (error) {
        // Without knowing which sessions are open we cannot tell a new plug-in from a continuing one.
        this.openLoadFailedAt = this.now();
        this.deps.logger.warn({ err: (error as Error).message }, 'session detection waits: open sessions cannot be read');
        return;
      }
    }
    const options = { intervalMs: this.deps.options.intervalMs, tariff: this.deps.options.tariff, newId: this.deps.newId };
    for (const cp of chargepoints) {
      const step = observe(this.open.get(cp.id), observationOf(cp, at), options);
      if (!step.changed || !step.session) continue;
      if (step.session.end === null) this.open.set(cp.id, step.session);
      else this.open.delete(cp.id);
      const dropped = this.buffer.putSession(step.session);
      if (dropped > 0) this.deps.metrics.sessionsDropped.inc(dropped);
    }
  }

  private async writeBuffered(): Promise<void> {
    try {
      while (this.buffer.sampleCount > 0) {
        const batch = this.buffer.peekSamples(WRITE_BATCH);
        const { written } = await this.writer.write(batch);
        this.buffer.dropWritten(batch.length);
        this.deps.metrics.samplesWritten.inc(written);
        this.updateGauges();
      }
      for (const session of this.buffer.pendingSessions()) {
        await this.sessionsRepo.upsert(session, this.now());
        this.buffer.sessionWritten(session);
      }
      if (this.lastError) this.deps.logger.info('the database is back: buffered statistics written');
      this.lastError = undefined;
    } catch (error) {
      this.buffer.writeFailed();
      this.deps.metrics.writeFailures.inc();
      const message = (error as Error).message;
      if (!this.lastError)
        this.deps.logger.warn({ err: message, buffered: this.buffer.sampleCount }, 'recorder buffers: the database cannot be written');
      this.lastError = message.slice(0, 300);
      throw error;
    } finally {
      this.updateGauges();
    }
    await this.pruneIfDue();
  }

  private async pruneIfDue(): Promise<void> {
    const now = this.now();
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    try {
      this.deps.metrics.samplesPruned.inc(await pruneSamples(this.deps.db, now - this.deps.options.rawRetentionMs));
    } catch (error) {
      this.deps.logger.warn({ err: (error as Error).message }, 'pruning old samples failed; retried in an hour');
    }
  }

  private setActive(active: boolean): void {
    this.active = active;
    this.deps.metrics.active.set(active ? 1 : 0);
  }

  private updateGauges(): void {
    this.deps.metrics.bufferedSamples.set(this.buffer.sampleCount);
    this.deps.metrics.bufferedSessions.set(this.buffer.sessionCount);
  }
}
