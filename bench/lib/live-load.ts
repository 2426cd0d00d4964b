/**
 * Live reads under a fault: `connections` loops, each alternating `GET /api/v1/chargepoints` and
 * `GET /api/v1/site` with an API key, counting status codes. A 200 without data (`items: []`, or a site
 * whose parts all have null power) is counted apart as `200 empty`; a request that gets no answer at all
 * (refused, reset, 10 s timeout) as `no answer`.
 */
import { sleep } from './common.ts';

export type StatusCounts = Record<string, number>;

const PATHS = ['/api/v1/chargepoints', '/api/v1/site'] as const;

function isEmpty(path: string, body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return true;
  if (path === '/api/v1/chargepoints')
    return !Array.isArray((body as { items?: unknown }).items) || (body as { items: [] }).items.length === 0;
  return ['grid', 'pv', 'battery', 'home'].every((part) => (body as Record<string, { power?: unknown } | undefined>)[part]?.power == null);
}

export class LiveLoad {
  counts: StatusCounts = {};
  private running = true;
  private readonly loops: Promise<void>[];
  private readonly answered = new Set<number>();
  private onAllAnswered: (() => void) | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    connections: number,
    private readonly pauseMs: number,
  ) {
    this.loops = Array.from({ length: connections }, (_, i) => this.loop(i));
  }

  /**
   * Resolves once every connection has had an answer, then starts counting afresh: the clients were in use
   * before the fault, as real apps are (a key nobody used before an outage cannot be checked without the database).
   */
  async warmedUp(): Promise<void> {
    if (this.answered.size < this.loops.length) await new Promise<void>((resolve) => (this.onAllAnswered = resolve));
    this.counts = {};
  }

  /** Stops the loops and returns the counts. */
  async stop(): Promise<StatusCounts> {
    this.running = false;
    await Promise.all(this.loops);
    return this.counts;
  }

  private async loop(offset: number): Promise<void> {
    for (let i = offset; this.running; i++) {
      const path = PATHS[i % PATHS.length] as string;
      this.count(await this.request(path));
      this.answered.add(offset);
      if (this.answered.size === this.loops.length) this.onAllAnswered?.();
      if (this.pauseMs > 0) await sleep(this.pauseMs);
    }
  }

  private async request(path: string): Promise<string> {
    try {
      const res = await fetch(this.baseUrl + path, { headers: { 'x-api-key': this.apiKey }, signal: AbortSignal.timeout(10_000) });
      const body: unknown = await res.json().catch(() => undefined);
      if (res.status === 200 && isEmpty(path, body)) return '200 empty';
      return String(res.status);
    } catch {
      // Refused while the gateway is down: do not spin on an instant error.
      await sleep(20);
      return 'no answer';
    }
  }

  private count(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
}

/** `200×1234 503×56 no answer×3`: every status, most frequent first. */
export function formatCounts(counts: StatusCounts): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([status, n]) => `${status}×${n}`).join(' ') : '-';
}

export const count5xx = (counts: StatusCounts) => Object.entries(counts).reduce((sum, [s, n]) => sum + (/^5\d\d$/.test(s) ? n : 0), 0);
