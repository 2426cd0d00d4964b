import { randomBytes } from 'node:crypto';
import type { Credentials } from '../auth/authenticator.ts';
import type { Principal } from '../auth/principal.ts';

/** Who a ticket opens the stream for, and the credentials the stream re-checks while it lasts. */
export interface TicketHolder {
  principal: Principal;
  credentials: Credentials;
}

export interface IssuedTicket {
  ticket: string;
  expiresAt: number;
}

/**
 * Single-use, short-lived tickets that let a browser open the stream without a header: each is bound to
 * the principal that asked for it and works once, before it expires, on the instance that issued it.
 */
export class StreamTickets {
  private readonly tickets = new Map<string, { holder: TicketHolder; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(holder: TicketHolder): IssuedTicket {
    this.sweep();
    const ticket = `st_${randomBytes(24).toString('hex')}`;
    const expiresAt = this.now() + this.ttlMs;
    this.tickets.set(ticket, { holder, expiresAt });
    return { ticket, expiresAt };
  }

  /** The ticket's holder, once: a used, expired or unknown ticket gives undefined. */
  redeem(ticket: string): TicketHolder | undefined {
    const found = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return found && found.expiresAt > this.now() ? found.holder : undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const [ticket, { expiresAt }] of this.tickets) if (expiresAt <= now) this.tickets.delete(ticket);
  }
}
