/**
 * The recorder's open charging sessions, moved along by the detector at every tick. Each changed session
 * goes to the outage buffer after the recorder's checks (a bad field is stored as null and the original
 * quarantined once per session). A session on a chargepoint the live reads no longer list (ingest retired
 * it) is closed with what is known when it was last seen.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { ChargePointDto } from '../api/types.ts';
import { observationOf, observe, type DetectorOptions } from '../sessions/detector.ts';
import type { Session } from '../sessions/model.ts';
import { SessionRepository } from '../sessions/session-repository.ts';
import type { RecorderMetrics } from './metrics.ts';
import type { OutageBuffer } from './outage-buffer.ts';
import type { StoreWriter } from './store-writer.ts';
import { checkSession } from './validation.ts';

const OPEN_RELOAD_BACKOFF_MS = 30_000;
/** Ticks a chargepoint must be missing from the live reads before its open session is closed. */
export const RETIRED_AFTER_TICKS = 3;

export interface SessionTrackerDeps {
  db: Database;
  buffer: OutageBuffer;
  store: StoreWriter;
  metrics: RecorderMetrics;
  logger: Pick<Logger, 'info' | 'warn'>;
  now: () => number;
  detector: DetectorOptions;
  /** Called with each session the detector opens. */
  onStarted?: (session: Session) => void;
}

export class SessionTracker {
  private readonly repository: SessionRepository;
  /** Open sessions by chargepoint; undefined until loaded from the database after taking the lock. */
  private open: Map<string, Session> | undefined;
  private openLoadFailedAt = Number.NEGATIVE_INFINITY;
  private readonly missingTicks = new Map<string, number>();
  /** Problems already quarantined, per session: a bad field is kept once, not at every tick. */
  private readonly reported = new Map<string, Set<string>>();

  constructor(private readonly deps: SessionTrackerDeps) {
    this.repository = new SessionRepository(deps.db);
  }

  /** Forgets the open sessions: they are reloaded (with what is buffered) before the next step. */
  reset(): void {
    this.open = undefined;
  }

  /** Buffers a session update that was spooled at the last stop. */
  restore(session: Session): void {
    this.buffer(session);
  }

  async advance(chargepoints: readonly ChargePointDto[], at: number): Promise<void> {
    const open = await this.loadOpen();
    if (!open) return;
    for (const cp of chargepoints) {
      this.missingTicks.delete(cp.id);
      const previous = open.get(cp.id);
      const step = observe(previous, observationOf(cp, at), this.deps.detector);
      if (!step.changed || !step.session) continue;
      if (step.session.id !== previous?.id) this.deps.onStarted?.(step.session);
      if (step.session.end === null) open.set(cp.id, step.session);
      else open.delete(cp.id);
      this.buffer(step.session);
    }
    const listed = new Set(chargepoints.map((cp) => cp.id));
    for (const [chargepointId, session] of open) {
      if (listed.has(chargepointId)) continue;
      const missing = (this.missingTicks.get(chargepointId) ?? 0) + 1;
      this.missingTicks.set(chargepointId, missing);
      if (missing < RETIRED_AFTER_TICKS) continue;
      open.delete(chargepointId);
      this.missingTicks.delete(chargepointId);
      this.deps.logger.info(
        { chargepointId, session: session.id },
        'chargepoint no longer listed: its open session is closed when it was last seen',
      );
      this.buffer({ ...session, end: session.lastSeenAt, lastCharging: false });
    }
  }

  private async loadOpen(): Promise<Map<string, Session> | undefined> {
    if (this.open) return this.open;
    if (this.deps.now() - this.openLoadFailedAt < OPEN_RELOAD_BACKOFF_MS) return undefined;
    try {
      const open = await this.repository.listOpen();
      // Buffered updates not yet written are newer than what the database holds.
      for (const pending of this.deps.buffer.pendingSessions()) {
        const index = open.findIndex((s) => s.id === pending.id);
        if (index >= 0) open.splice(index, 1);
        if (pending.end === null) open.push(pending);
      }
      this.open = new Map(open.map((s) => [s.chargepointId, s]));
      return this.open;
    } catch (error) {
      // Without knowing which sessions are open we cannot tell a new plug-in from a continuing one.
      this.openLoadFailedAt = this.deps.now();
      this.deps.logger.warn({ err: (error as Error).message }, 'session detection waits: open sessions cannot be read');
      return undefined;
    }
  }

  private buffer(session: Session): void {
    const { storable, problems } = checkSession(session);
    let reported = this.reported.get(session.id);
    if (!reported) this.reported.set(session.id, (reported = new Set()));
    for (const problem of problems) {
      const key = `${problem.reason}:${problem.detail.split(' ')[0]}`;
      if (reported.has(key)) continue;
      reported.add(key);
      this.deps.store.reject('session', problem.reason, problem.detail, session);
    }
    if (session.end !== null) this.reported.delete(session.id);
    if (!storable) return;
    const dropped = this.deps.buffer.putSession(storable);
    if (dropped > 0) this.deps.metrics.sessionsDropped.inc(dropped);
  }
}
