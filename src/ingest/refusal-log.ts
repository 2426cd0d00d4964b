import type { Logger } from 'pino';
import type { RefusalReason } from '../openwb/bounds.ts';

export const REFUSAL_LOG_WINDOW_MS = 60_000;
export const REFUSAL_LOG_LINES_PER_WINDOW = 10;

/**
 * Logs refused openWB messages without letting a flood of them flood the log: each topic at most once per
 * window, and at most a few lines per window in all (a flood can use a new topic per message). What was
 * not logged is summed up in one line when the next window starts.
 */
export class RefusalLog {
  readonly #logged = new Set<string>();
  #windowStart = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  refused(topic: string, refusal: RefusalReason, reason: string): void {
    const now = this.now();
    if (now - this.#windowStart >= REFUSAL_LOG_WINDOW_MS) {
      if (this.#suppressed > 0) {
        this.logger.warn({ suppressed: this.#suppressed }, 'more openWB messages were refused than logged (see openwb_mqtt_refused_total)');
      }
      this.#windowStart = now;
      this.#suppressed = 0;
      this.#logged.clear();
    }
    if (this.#logged.has(topic) || this.#logged.size >= REFUSAL_LOG_LINES_PER_WINDOW) {
      this.#suppressed++;
      return;
    }
    this.#logged.add(topic);
    this.logger.warn({ topic, refusal, reason }, 'refused an openWB message; the last good value stays');
  }
}
