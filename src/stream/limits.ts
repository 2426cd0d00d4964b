import type { Principal } from '../auth/principal.ts';

export interface StreamLimitOptions {
  perPrincipal: number;
  perAddress: number;
}

export type LimitReached = 'principal-limit' | 'address-limit';

/** What the transports count (prom-client metrics in the gateway). */
export interface TransportMetrics {
  connections: { inc(labels: { transport: 'websocket' | 'sse' }): void; dec(labels: { transport: 'websocket' | 'sse' }): void };
  refused: { inc(labels: { reason: LimitReached }): void };
}

/** Open streams per principal (a user's keys and tokens count together) and per client address. */
export class StreamLimits {
  private readonly byPrincipal = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly options: StreamLimitOptions) {}

  /** Counts one more stream and returns its release (call once, when it ends), or which limit is full. */
  acquire(principal: Principal, address: string): (() => void) | LimitReached {
    const owner = principal.userId ?? `${principal.kind}:${principal.id}`;
    if ((this.byPrincipal.get(owner) ?? 0) >= this.options.perPrincipal) return 'principal-limit';
    if ((this.byAddress.get(address) ?? 0) >= this.options.perAddress) return 'address-limit';
    increment(this.byPrincipal, owner, 1);
    increment(this.byAddress, address, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      increment(this.byPrincipal, owner, -1);
      increment(this.byAddress, address, -1);
    };
  }
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
