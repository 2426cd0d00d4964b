/**
 * Reads the gateway's /metrics (Prometheus text format) into values per metric and label set, and
 * adds up counter deltas across restarts of the gateway (whose counters start again at zero).
 */

/** Metric name → label set as written (`kind="sample",reason="stale"`, or `` without labels) → value. */
export type Scrape = Map<string, Map<string, number>>;

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/;

export function parseMetrics(text: string): Scrape {
  const scrape: Scrape = new Map();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, name, labels = '', value] = match;
    const byLabels = scrape.get(name!) ?? new Map<string, number>();
    byLabels.set(labels, Number(value));
    scrape.set(name!, byLabels);
  }
  return scrape;
}

export async function scrape(baseUrl: string): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

const labelValue = (labels: string, label: string) => new RegExp(`(?:^|,)${label}="([^"]*)"`).exec(labels)?.[1];
const matches = (labels: string, where: Record<string, string>) =>
  Object.entries(where).every(([label, wanted]) => labelValue(labels, label) === wanted);

/** A metric's total over the label sets matching `where`; 0 when the gateway does not have it. */
export function total(scrape: Scrape, name: string, where: Record<string, string> = {}): number {
  let sum = 0;
  for (const [labels, value] of scrape.get(name) ?? []) if (matches(labels, where)) sum += value;
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
    for (const [name, byLabels] of scrape) {
      const target = this.sum.get(name) ?? new Map<string, number>();
      for (const [labels, value] of byLabels) target.set(labels, (target.get(labels) ?? 0) + sign * value);
      this.sum.set(name, target);
    }
  }
}

/** `stale 12, missed-tick 3`: a delta's non-zero values (matching `where`) grouped by one label. */
export function byLabel(delta: Scrape, name: string, label: string, where: Record<string, string> = {}): string {
  const sums = new Map<string, number>();
  for (const [labels, value] of delta.get(name) ?? []) {
    if (!matches(labels, where)) continue;
    const key = labelValue(labels, label) ?? 'total';
    sums.set(key, (sums.get(key) ?? 0) + value);
  }
  return [...sums]
    .filter(([, n]) => n !== 0)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
}
