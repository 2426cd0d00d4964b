import { describe, expect, it } from 'vitest';
import type { CredentialReference, Credentials } from '../../../src/auth/authenticator.ts';
import { makePrincipal, type Principal } from '../../../src/auth/principal.ts';
import { UnavailableError } from '../../../src/errors.ts';
import { MemoryTicketStore, StreamTickets, type TicketStore } from '../../../src/stream/tickets.ts';

const principal = makePrincipal({ kind: 'apiKey', id: 'k', userId: null, name: 'k', role: 'admin', scopes: ['read'] });

/** Knows one key, `owg_k`, by a reference that is not the key; `revoked` makes it unknown. */
function fakeAuthenticator() {
  const state = { revoked: false };
  return {
    state,
    referenceOf: (credentials: Credentials): CredentialReference | undefined =>
      credentials.apiKey === 'owg_k' && !state.revoked ? { kind: 'apiKey', keyHash: 'hash-of-k' } : undefined,
    authenticateReference: (reference: CredentialReference): Principal | undefined =>
      reference.kind === 'apiKey' && reference.keyHash === 'hash-of-k' && !state.revoked ? principal : undefined,
  };
}

/** A store that records what it was given. */
function recordingStore(): TicketStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    put: async (id, value) => void values.set(id, value),
    take: async (id) => {
      const value = values.get(id);
      values.delete(id);
      return value;
    },
  };
}

describe('StreamTickets', () => {
  it('gives the holder back once, in the format the spec names, re-checking the credentials by reference', async () => {
    const authenticator = fakeAuthenticator();
    const tickets = new StreamTickets(new MemoryTicketStore(), authenticator, 30_000);
    const { ticket } = await tickets.issue({ apiKey: 'owg_k' });
    expect(ticket).toMatch(/^st_[0-9a-f]{48}$/);
    const holder = await tickets.redeem(ticket);
    expect(holder?.principal).toBe(principal);
    expect(await holder?.reauthenticate()).toBe(principal);
    authenticator.state.revoked = true;
    expect(await holder?.reauthenticate()).toBeUndefined();
    expect(await tickets.redeem(ticket)).toBeUndefined();
  });

  it('stores neither the ticket nor the credentials, only their hash and reference', async () => {
    const store = recordingStore();
    const tickets = new StreamTickets(store, fakeAuthenticator(), 30_000);
    const { ticket } = await tickets.issue({ apiKey: 'owg_k' });
    const [[id, value]] = [...store.values] as [[string, string]];
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain(ticket.slice(3));
    expect(value).not.toContain(ticket.slice(3));
    expect(value).not.toContain('owg_k');
    expect(JSON.parse(value)).toMatchObject({ reference: { kind: 'apiKey', keyHash: 'hash-of-k' } });
  });

  it('refuses a ticket once it has expired, an unknown or malformed one, and one whose credentials were revoked', async () => {
    let now = 1_000;
    const authenticator = fakeAuthenticator();
    const tickets = new StreamTickets(new MemoryTicketStore(() => now), authenticator, 30_000, () => now);
    const { ticket, expiresAt } = await tickets.issue({ apiKey: 'owg_k' });
    expect(expiresAt).toBe(31_000);
    now = 31_000;
    expect(await tickets.redeem(ticket)).toBeUndefined();
    expect(await tickets.redeem(`st_${'0'.repeat(48)}`)).toBeUndefined();
    expect(await tickets.redeem('st_unknown')).toBeUndefined();
    const second = await tickets.issue({ apiKey: 'owg_k' });
    authenticator.state.revoked = true;
    expect(await tickets.redeem(second.ticket)).toBeUndefined();
    await expect(tickets.issue({ apiKey: 'owg_k' })).rejects.toThrow('unknown, expired or revoked');
  });

  it('answers UnavailableError (503 with Retry-After) while the store cannot be reached', async () => {
    const broken: TicketStore = {
      put: () => Promise.reject(new Error('Connection is closed')),
      take: () => Promise.reject(new Error('Connection is closed')),
    };
    const tickets = new StreamTickets(broken, fakeAuthenticator(), 30_000);
    await expect(tickets.issue({ apiKey: 'owg_k' })).rejects.toBeInstanceOf(UnavailableError);
    await expect(tickets.redeem(`st_${'0'.repeat(48)}`)).rejects.toBeInstanceOf(UnavailableError);
  });
});
