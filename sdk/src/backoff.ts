export interface BackoffOptions {
  /** Delay before the first reconnect, ms (default 500). */
  initialMs?: number;
  /** Longest delay, ms (default 30 000). */
  maxMs?: number;
}

/**
 * Delay before reconnect number `attempt` (0 = first): doubling from `initialMs` up to `maxMs`, with "equal jitter"
 * (half fixed, half random) so that many clients dropped at once by a restart do not all come back together.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initialMs = options.initialMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
