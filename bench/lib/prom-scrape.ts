/**
 * Reads the gateway's /metrics (Prometheus text format) into totals per metric and per `reason` label, and
 * adds up counter deltas across restarts of the gateway (whose counters start again at zero).
 */

/** Metric name → label set (`reason=…`, or `` without one) → value. */
export type Scrape = Map<string, Map<string, number>>;

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/;

export function parseMetrics(text: string): Scrape {
  const scrape: Scrape = new Map();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, name, labels = '', value] = match;
    const reason = /reason="([^"]*)"/.exec(labels)?.[1] ?? '';
    const byReason = scrape.get(name!) ?? new Map<string, number>();
    byReason.set(reason, (byReason.get(reason) ?? 0) + Number(value));
    scrape.set(name!, byReason);
  }
  return scrape;
}

export async function scrape(baseUrl: string): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** A metric's total over all its labels; 0 when the gateway does not have it. */
export function total(scrape: Scrape, name: string): number {
  let sum = 0;
  for (const value of scrape.get(name)?.values() ?? []) sum += value;
  return sum;
}

/** Counter deltas over a window in which the gateway may have been restarted. */
export class CounterWindow {
  private readonly sum: Scrape = new Map();

  constructor(private base: Scrape) {}

  /** The process is about to die: bank what it counted since the base; its successor starts at zero. */
  restart(last: Scrape): void {
    this.add(last, 1);
    this.add(this.base, -1);
    this.base = new Map();
  }

  /** Deltas from the base to `end`, plus what earlier processes counted. */
  close(end: Scrape): Scrape {
    this.add(end, 1);
    this.add(this.base, -1);
    return this.sum;
  }

  private add(scrape: Scrape, sign: 1 | -1): void {
    for (const [name, byReason] of scrape) {
      const target = this.sum.get(name) ?? new Map<string, number>();
      for (const [reason, value] of byReason) target.set(reason, (target.get(reason) ?? 0) + sign * value);
      this.sum.set(name, target);
    }
  }
}

/** `stale 12, lock 3`: the non-zero reasons of a metric in a delta. */
export function reasons(delta: Scrape, name: string): string {
  return [...(delta.get(name) ?? new Map<string, number>())]
    .filter(([, n]) => n !== 0)
    .map(([reason, n]) => `${reason || 'total'} ${n}`)
    .join(', ');
}
