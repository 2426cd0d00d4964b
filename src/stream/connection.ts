import type { Principal } from '../auth/principal.ts';
import type { MaybePromise } from '../maybe-async.ts';
import { coalesce, outgoing, type Outgoing, type QueuedMessage } from './messages.ts';
import { EVERYTHING, type StreamNarrowing } from './narrowing.ts';

/** The connection's credentials checked again: the principal as they stand now, undefined once revoked or expired. */
export type Reauthenticate = () => MaybePromise<Principal | undefined>;

/** What the connections count (prom-client counters in the gateway). */
export interface StreamCounters {
  /** Counted once per change for all the connections it went to (one call per frame would cost a fan-out of 1,000 a millisecond). */
  messagesSent: { inc(value?: number): void };
  coalesced: { inc(): void };
  /** Seconds to hand one change or event to every connection that may see it (its frames' writes included). */
  fanOut?: { observe(seconds: number): void };
  /** Streams the gateway ended, by the name of the close code. */
  closed?: { inc(labels: { reason: StreamCloseReason }): void };
}

/** Where a connection's frames go: a WebSocket or an SSE response. */
export interface StreamSink {
  /** Sends the message numbered `seq` on this connection (withSeq gives its text). */
  send(seq: number, out: Outgoing): void;
  /** The transport holds more unsent data than it should: further changes wait, coalesced. */
  readonly backedUp: boolean;
  /** Ends the transport (`code`: one of STREAM_CLOSE_CODES). */
  close(code: StreamCloseCode, reason: string): void;
}

/** Why the gateway ends a stream; WebSocket close codes (documented in asyncapi.yaml). */
export const STREAM_CLOSE_CODES = { shutdown: 1001, unavailable: 1011, tooSlow: 4008, credentialsInvalid: 4401, forbidden: 4403 } as const;
export type StreamCloseReason = keyof typeof STREAM_CLOSE_CODES;
export type StreamCloseCode = (typeof STREAM_CLOSE_CODES)[StreamCloseReason];
const REASON_OF_CODE = new Map(Object.entries(STREAM_CLOSE_CODES).map(([reason, code]) => [code, reason as StreamCloseReason]));

/**
 * One client of the stream: numbers its messages and, while its transport is backed up, keeps at most one
 * pending message per object or event subject (the latest, merged with what was pending), sent when the transport drains.
 */
export class StreamConnection {
  private seq = 0;
  private readonly pending = new Map<string, Outgoing<QueuedMessage>>();
  /** Since when changes have been waiting for the transport (undefined: none waits). */
  private waitingSince: number | undefined;

  constructor(
    /** Replaced when the credentials are checked again (a user's chargepoints may have changed). */
    public principal: Principal,
    private readonly sink: StreamSink,
    readonly reauthenticate: Reauthenticate,
    private readonly counters?: StreamCounters,
    /** What the client asked to receive (`?chargepoints=`, `?topics=`, or a `subscribe` message). */
    public narrowing: StreamNarrowing = EVERYTHING,
  ) {}

  /** How long changes have been waiting for the transport (0: none waits). */
  behindFor(now: number): number {
    return this.waitingSince === undefined ? 0 : now - this.waitingSince;
  }

  /** Messages waiting for the transport to drain (one per object at most). */
  get pendingCount(): number {
    return this.pending.size;
  }

  sendNow(out: Outgoing): void {
    this.send(out);
    this.counters?.messagesSent.inc();
  }

  /**
   * A change of the object or event subject `key`: sent now, or merged into the pending one while the
   * transport is behind. True when it was sent now (the caller counts it in `messagesSent`).
   */
  deliver(key: string, out: Outgoing<QueuedMessage>, now: number): boolean {
    const waiting = this.pending.get(key);
    if (waiting === undefined && this.pending.size === 0 && !this.sink.backedUp) {
      this.send(out);
      return true;
    }
    if (waiting) this.counters?.coalesced.inc();
    this.waitingSince ??= now;
    // An object keeps its place in the queue: the one waiting longest goes first.
    this.pending.set(key, waiting ? outgoing(coalesce(waiting.message, out.message)) : out);
    return false;
  }

  private send(out: Outgoing): void {
    this.seq += 1;
    this.sink.send(this.seq, out);
  }

  close(code: StreamCloseCode, reason: string): void {
    this.pending.clear();
    this.counters?.closed?.inc({ reason: REASON_OF_CODE.get(code) ?? 'unavailable' });
    this.sink.close(code, reason);
  }

  /** The transport caught up: send what waited, oldest object first, until it is behind again. */
  drained(): void {
    for (const [key, out] of this.pending) {
      if (this.sink.backedUp) return;
      this.pending.delete(key);
      this.sendNow(out);
    }
    this.waitingSince = undefined;
  }
}
