/**
 * Moves what the outage buffer holds into the database: samples in isolated batches, session updates one
 * by one, then the quarantined rows. A row the database refuses for its content is quarantined and the
 * others go on; any other failure stops the round, and everything unresolved stays buffered for the next.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { SampleWriter } from '../history/sample-writer.ts';
import type { Session } from '../sessions/model.ts';
import { SessionRepository } from '../sessions/session-repository.ts';
import { newProgress, writeIsolated } from './isolating-writer.ts';
import type { RecorderMetrics } from './metrics.ts';
import type { OutageBuffer } from './outage-buffer.ts';
import { insertQuarantined, quarantineEntry, type QuarantineEntry } from './quarantine.ts';
import { errorDetail, isContentError } from './row-errors.ts';
import type { RejectReason } from './validation.ts';

const WRITE_BATCH = 5_000;
const MAX_PENDING_QUARANTINE = 10_000;

export class StoreWriter {
  private readonly sessions: SessionRepository;
  /** Quarantine rows waiting for the database (they wait through an outage like everything else). */
  quarantine: QuarantineEntry[] = [];

  constructor(
    private readonly db: Database,
    private readonly samples: SampleWriter,
    private readonly buffer: OutageBuffer,
    private readonly metrics: RecorderMetrics,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    private readonly now: () => number,
    /** Called after each stored batch: the recorder is making progress. */
    private readonly onProgress: () => void,
    /** Called after each stored session update. */
    private readonly onSessionWritten: (session: Session) => void = () => undefined,
  ) {
    this.sessions = new SessionRepository(db);
  }

  /** Counts a refused row and keeps it for the quarantine table. */
  reject(kind: QuarantineEntry['kind'], reason: RejectReason, detail: string, row: unknown): void {
    this.metrics.rowsRejected.inc({ kind, reason });
    this.keep(quarantineEntry(kind, reason, detail, row, this.now()));
  }

  keep(entry: QuarantineEntry): void {
    if (this.quarantine.length < MAX_PENDING_QUARANTINE) this.quarantine.push(entry);
    else this.lose(entry, 'the quarantine queue is full');
  }

  /** Writes everything buffered; throws (leaving the rest buffered) on any failure that is not a row's own. */
  async writeAll(): Promise<void> {
    while (this.buffer.sampleCount > 0) {
      const batch = this.buffer.peekSamples(WRITE_BATCH);
      const progress = newProgress();
      try {
        await writeIsolated(this.samples, batch, progress);
      } finally {
        this.buffer.dropWritten(progress.resolved);
        this.metrics.samplesWritten.inc(progress.written);
        this.metrics.samplesSkipped.inc(progress.skipped);
        for (const { sample, error } of progress.refused) this.reject('sample', 'refused-by-database', errorDetail(error), sample);
      }
      this.onProgress();
    }
    for (const session of this.buffer.pendingSessions()) {
      try {
        await this.sessions.upsert(session, this.now());
        this.onSessionWritten(session);
      } catch (error) {
        if (!isContentError(error)) throw error;
        this.reject('session', 'refused-by-database', errorDetail(error), session);
      }
      this.buffer.sessionWritten(session);
    }
    while (this.quarantine.length > 0) {
      const entry = this.quarantine[0] as QuarantineEntry;
      try {
        await insertQuarantined(this.db, entry);
      } catch (error) {
        if (!isContentError(error)) throw error;
        this.lose(entry, errorDetail(error));
      }
      this.quarantine.shift();
    }
  }

  private lose(entry: QuarantineEntry, why: string): void {
    this.metrics.quarantineLost.inc();
    this.logger.error({ quarantine: entry, why }, 'a quarantined row cannot be stored: kept in this log line only');
  }
}
