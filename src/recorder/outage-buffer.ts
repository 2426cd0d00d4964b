/**
 * What the recorder has taken but not yet written: samples in arrival order (bounded; when full the oldest
 * are dropped and counted, except a batch being written, which is written or kept whole) and the latest
 * version of each changed session (bounded likewise; finished sessions are kept in preference to open
 * ones, whose next update would supersede them anyway). So every recorded sample is either written,
 * counted as lost or still buffered, exactly once.
 */
import type { Session } from '../sessions/model.ts';
import type { Sample } from './sampling.ts';

export const MAX_BUFFERED_SESSIONS = 1000;

export class OutageBuffer {
  private samples: Sample[] = [];
  private head = 0;
  /** Samples at the head handed out by peekSamples whose write has not ended yet. */
  private inFlight = 0;
  private readonly sessions = new Map<string, Session>();
  lostSamples = 0;
  lostSessions = 0;

  constructor(
    readonly maxSamples: number,
    readonly maxSessions = MAX_BUFFERED_SESSIONS,
  ) {}

  get sampleCount(): number {
    return this.samples.length - this.head;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Returns how many samples were dropped to make room. */
  addSamples(samples: readonly Sample[]): number {
    this.samples.push(...samples);
    const overflow = this.sampleCount - this.maxSamples;
    if (overflow <= 0) return 0;
    // Room comes from the oldest samples not being written (there are enough: maxSamples ≥ a batch).
    if (this.inFlight === 0) this.head += overflow;
    else this.samples.splice(this.head + this.inFlight, overflow);
    this.lostSamples += overflow;
    this.compact();
    return overflow;
  }

  /** Returns how many session updates were dropped to make room. */
  putSession(session: Session): number {
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
    let dropped = 0;
    while (this.sessions.size > this.maxSessions) {
      const victim = [...this.sessions.values()].find((s) => s.end === null) ?? this.sessions.values().next().value!;
      this.sessions.delete(victim.id);
      dropped++;
    }
    this.lostSessions += dropped;
    return dropped;
  }

  /** The oldest `max` samples, to be written: they stay until dropWritten or writeFailed. */
  peekSamples(max: number): Sample[] {
    const batch = this.samples.slice(this.head, this.head + max);
    this.inFlight = batch.length;
    return batch;
  }

  /** Removes the `count` oldest samples after they were written. */
  dropWritten(count: number): void {
    this.head = Math.min(this.head + count, this.samples.length);
    this.inFlight = 0;
    this.compact();
  }

  /** The batch could not be written: its samples stay, and may make room again. */
  writeFailed(): void {
    this.inFlight = 0;
  }

  /** Empties the buffer, returning what it held (a shutdown spools it). */
  takeAll(): { samples: Sample[]; sessions: Session[] } {
    const taken = { samples: this.samples.slice(this.head), sessions: [...this.sessions.values()] };
    this.samples = [];
    this.head = 0;
    this.inFlight = 0;
    this.sessions.clear();
    return taken;
  }

  /** Per series, the newest buffered sample before `before` (ms). */
  newestSamples(before: number): Map<string, number> {
    const newest = new Map<string, number>();
    for (let i = this.head; i < this.samples.length; i++) {
      const { series, ts } = this.samples[i] as Sample;
      if (ts < before && ts > (newest.get(series) ?? Number.NEGATIVE_INFINITY)) newest.set(series, ts);
    }
    return newest;
  }

  pendingSessions(): Session[] {
    return [...this.sessions.values()];
  }

  /** Removes a written session unless a newer version of it arrived meanwhile. */
  sessionWritten(session: Session): void {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.samples.length) {
      this.samples = this.samples.slice(this.head);
      this.head = 0;
    }
  }
}
