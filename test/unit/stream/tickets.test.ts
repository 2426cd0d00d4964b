import { describe, expect, it } from 'vitest';
import { makePrincipal } from '../../../src/auth/principal.ts';
import { StreamTickets } from '../../../src/stream/tickets.ts';

const holder = {
  principal: makePrincipal({ kind: 'apiKey', id: 'k', userId: null, name: 'k', role: 'admin', scopes: ['read'] }),
  credentials: { apiKey: 'owg_k' },
};

describe('StreamTickets', () => {
  it('gives the holder back once, in the format the spec names', () => {
    const tickets = new StreamTickets(30_000);
    const { ticket } = tickets.issue(holder);
    expect(ticket).toMatch(/^st_[0-9a-f]{48}$/);
    expect(tickets.redeem(ticket)).toBe(holder);
    expect(tickets.redeem(ticket)).toBeUndefined();
  });

  it('refuses a ticket once it has expired, and an unknown one', () => {
    let now = 1_000;
    const tickets = new StreamTickets(30_000, () => now);
    const { ticket, expiresAt } = tickets.issue(holder);
    expect(expiresAt).toBe(31_000);
    now = 31_000;
    expect(tickets.redeem(ticket)).toBeUndefined();
    expect(tickets.redeem('st_unknown')).toBeUndefined();
  });
});
