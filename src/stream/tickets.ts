import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';

export interface IssuedTicket {
  ticket: string;
  expiresAt: number;
}

/**
 * Single-use, short-lived tickets that let a browser open the stream without a header: each is bound to
 * the principal that asked for it and works once, before it expires, on the instance that issued it.
 */
export class StreamTickets {
  private readonly tickets = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(principal: Principal): IssuedTicket {
    this.sweep();
    const ticket = `st_${randomBytes(24).toString('hex')}`;
    const expiresAt = this.now() + this.ttlMs;
    this.tickets.set(ticket, { principal, expiresAt });
    return { ticket, expiresAt };
  }

  /** The ticket's principal, once: a used, expired or unknown ticket gives undefined. */
  redeem(ticket: string): Principal | undefined {
    const found = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return found && found.expiresAt > this.now() ? found.principal : undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const [ticket, { expiresAt }] of this.tickets) if (expiresAt <= now) this.tickets.delete(ticket);
  }
}
