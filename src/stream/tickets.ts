import { createHash, randomBytes } from 'node:crypto';
import type { CredentialReference, Credentials } from '../auth/authenticator.ts';
import type { Principal } from '../auth/principal.ts';
import { NotAuthenticatedError, UnavailableError } from '../errors.ts';
import type { MaybePromise } from '../maybe-async.ts';
import type { Reauthenticate } from './connection.ts';

/** Who a ticket opens the stream for, and how the stream checks their credentials again while it lasts. */
export interface TicketHolder {
  principal: Principal;
  reauthenticate: Reauthenticate;
}

export interface IssuedTicket {
  ticket: string;
  expiresAt: number;
}

/** Where tickets wait to be used: shared by every instance (Redis), or this process's memory without Redis. */
export interface TicketStore {
  /** Keeps `value` under `id` for `ttlMs`. */
  put(id: string, value: string, ttlMs: number): Promise<void>;
  /** The value under `id`, removed in the same step (a second take finds nothing), or undefined. */
  take(id: string): Promise<string | undefined>;
}

/** What tickets need of the authenticator: credentials turned into a reference, and a reference checked again. */
export interface TicketAuthenticator {
  referenceOf(credentials: Credentials): MaybePromise<CredentialReference | undefined>;
  authenticateReference(reference: CredentialReference): MaybePromise<Principal | undefined>;
}

interface StoredTicket {
  reference: CredentialReference;
  expiresAt: number;
}

const TICKET_PATTERN = /^st_[0-9a-f]{48}$/;
/** A ticket is stored under its SHA-256: whoever reads the store finds nothing that opens a stream. */
const idOf = (ticket: string) => createHash('sha256').update(ticket).digest('hex');
/** How long a client is asked to wait while the ticket store cannot be reached. */
const STORE_RETRY_AFTER_S = 5;

/**
 * Single-use, short-lived tickets that let a browser open the stream without a header (WebSocket or
 * EventSource): each is bound to the credentials that asked for it and works once, on any instance
 * sharing the store, before it expires. The store keeps the ticket's hash and a reference to the
 * credentials (an API key's hash or an access token's claims, see CredentialReference), never a secret:
 * the holder is authenticated again from the reference, at redemption and while the stream lasts.
 */
export class StreamTickets {
  private readonly now: () => number;

  constructor(
    private readonly store: TicketStore,
    private readonly authenticator: TicketAuthenticator,
    private readonly ttlMs: number,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  async issue(credentials: Credentials): Promise<IssuedTicket> {
    const reference = await this.authenticator.referenceOf(credentials);
    if (!reference) throw new NotAuthenticatedError('The credentials are unknown, expired or revoked');
    const ticket = `st_${randomBytes(24).toString('hex')}`;
    const expiresAt = this.now() + this.ttlMs;
    const stored: StoredTicket = { reference, expiresAt };
    try {
      await this.store.put(idOf(ticket), JSON.stringify(stored), this.ttlMs);
    } catch {
      throw new UnavailableError('No stream ticket can be issued right now: the ticket store cannot be reached', STORE_RETRY_AFTER_S);
    }
    return { ticket, expiresAt };
  }

  /** The ticket's holder as they stand now, once: a used, expired, unknown or malformed ticket, or revoked credentials, give undefined. */
  async redeem(ticket: string): Promise<TicketHolder | undefined> {
    if (!TICKET_PATTERN.test(ticket)) return undefined;
    let value: string | undefined;
    try {
      value = await this.store.take(idOf(ticket));
    } catch {
      throw new UnavailableError('Stream tickets cannot be checked right now: the ticket store cannot be reached', STORE_RETRY_AFTER_S);
    }
    const stored = value === undefined ? undefined : parseStored(value);
    if (!stored || stored.expiresAt <= this.now()) return undefined;
    const { reference } = stored;
    const principal = await this.authenticator.authenticateReference(reference);
    return principal && { principal, reauthenticate: () => this.authenticator.authenticateReference(reference) };
  }
}

function parseStored(value: string): StoredTicket | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<StoredTicket>;
    const reference = parsed.reference;
    if (typeof parsed.expiresAt !== 'number' || !reference) return undefined;
    if (reference.kind === 'apiKey' && typeof reference.keyHash === 'string') return { reference, expiresAt: parsed.expiresAt };
    if (
      reference.kind === 'token' &&
      typeof reference.userId === 'string' &&
      typeof reference.sessionId === 'string' &&
      typeof reference.expiresAt === 'number'
    )
      return { reference, expiresAt: parsed.expiresAt };
    return undefined;
  } catch {
    return undefined;
  }
}

/** The tickets of a single instance (no Redis): in this process, swept as new ones are issued. */
export class MemoryTicketStore implements TicketStore {
  private readonly values = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async put(id: string, value: string, ttlMs: number): Promise<void> {
    const now = this.now();
    for (const [key, { expiresAt }] of this.values) if (expiresAt <= now) this.values.delete(key);
    this.values.set(id, { value, expiresAt: now + ttlMs });
  }

  async take(id: string): Promise<string | undefined> {
    const found = this.values.get(id);
    this.values.delete(id);
    return found && found.expiresAt > this.now() ? found.value : undefined;
  }
}
