/**
 * Gives the charging session of an RFID scan to the profile's user. The recorder opens sessions on its own
 * clock (and a tag may be scanned before plugging in), so each scan waits here until its session exists:
 * the one open at the scan, or the first starting within ATTRIBUTION_WINDOW_MS after it.
 */
import type { Logger } from 'pino';
import type { SessionRepository } from '../sessions/session-repository.ts';
import type { RfidEventRecord } from './model.ts';
import type { RfidEventRepository } from './rfid-event-repository.ts';

/** openWB keeps a scanned tag 300 s waiting for a vehicle; the recorder needs a tick or two more. */
export const ATTRIBUTION_WINDOW_MS = 600_000;

export class SessionAttributor {
  private readonly pending = new Map<number, RfidEventRecord>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      events: RfidEventRepository;
      sessions: SessionRepository;
      logger: Logger;
      intervalMs?: number;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Picks up what an earlier run (or a stopped instance) left pending, then sweeps on an interval. */
  async start(): Promise<void> {
    for (const event of await this.deps.events.pendingAttributions(this.now - ATTRIBUTION_WINDOW_MS)) this.pending.set(event.id, event);
    this.timer = setInterval(() => void this.sweep(), this.deps.intervalMs ?? 2_000);
    this.timer.unref();
  }

  track(event: RfidEventRecord): void {
    this.pending.set(event.id, { ...event });
    void this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over the pending scans; never runs twice at once, never throws. */
  sweep(): Promise<void> {
    if (this.running || this.pending.size === 0) return this.running ?? Promise.resolve();
    this.running = this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    for (const event of [...this.pending.values()]) {
      try {
        if (event.userId === null) {
          this.pending.delete(event.id);
          continue;
        }
        const session = await this.deps.sessions.findForAttribution(event.chargepointId, event.at, ATTRIBUTION_WINDOW_MS);
        if (session) {
          const mine = await this.deps.sessions.attributeUser(session.id, event.userId);
          await this.deps.events.update(event.id, { sessionId: session.id, attribution: mine ? 'done' : 'none' });
          this.pending.delete(event.id);
        } else if (this.now - event.at > ATTRIBUTION_WINDOW_MS) {
          await this.deps.events.update(event.id, { attribution: 'none' });
          this.pending.delete(event.id);
        }
      } catch (error) {
        this.deps.logger.warn({ err: (error as Error).message, rfidEvent: event.id }, 'attributing a session failed; retrying');
      }
    }
  }
}
