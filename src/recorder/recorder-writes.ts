/**
 * The recorder's write side: samples and session updates wait in the outage buffer and are written one
 * write at a time; what a stop cannot write is spooled and replayed at the next start; old raw samples
 * and quarantine rows are pruned hourly.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { SampleWriter } from '../history/sample-writer.ts';
import { pruneSamples } from '../history/retention.ts';
import { pruneMeasurementPoints } from '../measurements/retention.ts';
import type { Session } from '../sessions/model.ts';
import type { RecorderMetrics } from './metrics.ts';
import { OutageBuffer } from './outage-buffer.ts';
import { pruneQuarantine } from './quarantine.ts';
import { errorDetail } from './row-errors.ts';
import type { Sample } from './sampling.ts';
import { Spool } from './spool.ts';
import { StoreWriter } from './store-writer.ts';
import { sampleProblem } from './validation.ts';

const PRUNE_EVERY_MS = 3_600_000;

export interface RecorderWritesDeps {
  db: Database;
  metrics: RecorderMetrics;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now: () => number;
  /** Called after each stored session update. */
  onSessionWritten?: (session: Session) => void;
  options: {
    bufferSize: number;
    rawRetentionMs: number;
    spoolFile?: string;
    meterMaxPowerW?: { chargepoint: number; site: number };
  };
}

export class RecorderWrites {
  readonly buffer: OutageBuffer;
  readonly store: StoreWriter;
  private readonly spool: Spool;
  private flushing: Promise<void> | undefined;
  private error: string | undefined;
  private lastWrite: number | undefined;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: RecorderWritesDeps) {
    const { db, metrics, logger, now, options } = deps;
    this.buffer = new OutageBuffer(options.bufferSize);
    this.spool = new Spool(options.spoolFile, logger);
    const samples = new SampleWriter(db, {
      maxPowerW: options.meterMaxPowerW,
      onCounterEvents: (series, events) => {
        metrics.meterGlitches.inc({ series }, events.glitches);
        metrics.meterResets.inc({ series }, events.resets);
        metrics.meterRollovers.inc({ series }, events.rollovers);
      },
    });
    this.store = new StoreWriter(db, samples, this.buffer, metrics, logger, now, () => this.wrote(), deps.onSessionWritten);
  }

  /** Set while the database refuses writes. */
  get lastError(): string | undefined {
    return this.error;
  }

  /** When a write last completed (ms); undefined before the first. */
  get lastWriteAt(): number | undefined {
    return this.lastWrite;
  }

  get writing(): boolean {
    return this.flushing !== undefined;
  }

  /** Buffers the samples the recorder's own checks accept; the others are quarantined. */
  addSamples(samples: readonly Sample[]): void {
    const valid: Sample[] = [];
    for (const sample of samples) {
      const problem = sampleProblem(sample);
      if (problem) this.store.reject('sample', problem.reason, problem.detail, sample);
      else valid.push(sample);
    }
    const dropped = this.buffer.addSamples(valid);
    if (dropped > 0) this.deps.metrics.samplesDropped.inc(dropped);
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

  /**
   * A last write once `lastTick` is done, within the deadline (a hung live store or database must not hold up
   * shutdown); resolves whether everything was written.
   */
  writeWithin(lastTick: Promise<void> | undefined, deadlineMs: number): Promise<boolean> {
    const write = async () => {
      await lastTick;
      await this.flush();
      return true;
    };
    return Promise.race([
      write().catch(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), deadlineMs).unref()),
    ]);
  }

  /** Buffers what the last stop spooled; its session updates go to `restoreSession`. */
  replaySpool(restoreSession: (session: Session) => void): void {
    const spooled = this.spool.load();
    if (!spooled) return;
    this.addSamples(spooled.samples);
    this.deps.metrics.samplesReplayed.inc(spooled.samples.length);
    for (const session of spooled.sessions) restoreSession(session);
    for (const entry of spooled.quarantine) this.store.keep(entry);
    this.updateGauges();
  }

  /** Moves everything still buffered to the spool file. */
  spoolRest(flushed: boolean): void {
    const rest = { ...this.buffer.takeAll(), quarantine: this.store.quarantine.splice(0) };
    this.updateGauges();
    if (this.spool.save(rest, flushed)) this.deps.metrics.samplesSpooled.inc(rest.samples.length);
  }

  updateGauges(): void {
    this.deps.metrics.bufferedSamples.set(this.buffer.sampleCount);
    this.deps.metrics.bufferedSessions.set(this.buffer.sessionCount);
  }

  private async writeBuffered(): Promise<void> {
    try {
      await this.store.writeAll();
      this.wrote();
      if (this.error) this.deps.logger.info('the database is back: buffered statistics written');
      this.error = undefined;
      this.spool.written();
    } catch (error) {
      this.deps.metrics.writeFailures.inc();
      const message = errorDetail(error);
      if (!this.error)
        this.deps.logger.warn({ err: message, buffered: this.buffer.sampleCount }, 'recorder buffers: the database cannot be written');
      this.error = message.slice(0, 300);
      throw error;
    } finally {
      this.updateGauges();
    }
    await this.pruneIfDue();
  }

  private wrote(): void {
    this.lastWrite = this.deps.now();
    this.deps.metrics.lastWrite.set(this.lastWrite / 1000);
  }

  private async pruneIfDue(): Promise<void> {
    const now = this.deps.now();
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    try {
      const before = now - this.deps.options.rawRetentionMs;
      this.deps.metrics.samplesPruned.inc(await pruneSamples(this.deps.db, before));
      await pruneQuarantine(this.deps.db, before);
      // Measurement series have their own retention each; pruned on the same hourly turn, by the instance that records.
      await pruneMeasurementPoints(this.deps.db, now);
    } catch (error) {
      this.deps.logger.warn({ err: (error as Error).message }, 'pruning old samples failed; retried in an hour');
    }
  }
}
