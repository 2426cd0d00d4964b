/**
 * Tells of the recorder's sessions as they are stored: `started` for a session the tracker opened, `updated`
 * when its stored figures changed, `ended`. Each is read back after its write, so it carries the user an RFID
 * scan attributed it to (attribution writes to the database only); unchanged rewrites tell nothing.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { GatewayEvents, SessionChange } from '../events/gateway-events.ts';
import { toDto, type Session } from '../sessions/model.ts';
import { SessionRepository } from '../sessions/session-repository.ts';

export class SessionAnnouncer {
  private readonly repository: SessionRepository;
  /** Sessions opened and not yet told of. */
  private readonly opened = new Set<string>();
  /** The JSON last told of each open session. */
  private readonly told = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    db: Database,
    private readonly events: GatewayEvents,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {
    this.repository = new SessionRepository(db);
  }

  started(session: Session): void {
    this.opened.add(session.id);
  }

  /** After the session's write; the announcements keep the order of the writes. */
  written(session: Session): void {
    this.chain = this.chain
      .then(() => this.announce(session))
      .catch((error: unknown) => this.logger.warn({ err: (error as Error).message, session: session.id }, 'a session event was not told'));
  }

  /** This instance stopped recording: another one tells of the sessions now. */
  forget(): void {
    this.opened.clear();
    this.told.clear();
  }

  /** Resolves once every written session has been told of. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async announce(session: Session): Promise<void> {
    const opened = this.opened.delete(session.id);
    const change: SessionChange = session.end !== null ? 'ended' : opened ? 'started' : 'updated';
    let stored = session;
    let names = new Map<string, string>();
    try {
      stored = (await this.repository.get(session.id)) ?? session;
      if (stored.userId !== null) names = await this.repository.userNames([stored.userId]);
    } catch (error) {
      // Told as the recorder has it (without the user an RFID scan may have given it).
      this.logger.warn({ err: (error as Error).message, session: session.id }, 'a stored session could not be read back for its event');
    }
    const dto = toDto(stored, names);
    const json = JSON.stringify(dto);
    if (change === 'updated' && this.told.get(session.id) === json) return;
    if (change === 'ended') this.told.delete(session.id);
    else this.told.set(session.id, json);
    this.events.publish({ type: 'session', change, session: dto });
  }
}
