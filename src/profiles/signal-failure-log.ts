import type { Logger } from 'pino';

/** While a chargepoint's signals keep failing, the log reminds of it this often. */
export const SIGNAL_FAILURE_REMINDER_MS = 600_000;

interface Streak {
  since: number;
  failed: number;
  remindedAt: number;
}

/**
 * Logs failures of a chargepoint's RFID signals without flooding the log during a database outage (openWB
 * repeats a bound tag every cycle): once when they start failing, as a reminder every few minutes, and once
 * when a signal is handled again, with how many failed meanwhile.
 */
export class SignalFailureLog {
  private readonly streaks = new Map<string, Streak>();

  constructor(
    private readonly logger: Pick<Logger, 'error' | 'info'>,
    private readonly now: () => number = Date.now,
  ) {}

  failed(chargepointId: string, error: unknown): void {
    const now = this.now();
    const err = error instanceof Error ? error.message : String(error);
    const streak = this.streaks.get(chargepointId);
    if (!streak) {
      this.streaks.set(chargepointId, { since: now, failed: 1, remindedAt: now });
      this.logger.error({ err, chargepointId }, 'handling RFID signals fails; logged again when it works');
      return;
    }
    streak.failed++;
    if (now - streak.remindedAt < SIGNAL_FAILURE_REMINDER_MS) return;
    streak.remindedAt = now;
    this.logger.error(
      { err, chargepointId, failedSignals: streak.failed, failingForS: Math.round((now - streak.since) / 1000) },
      'handling RFID signals still fails',
    );
  }

  handled(chargepointId: string): void {
    const streak = this.streaks.get(chargepointId);
    if (!streak) return;
    this.streaks.delete(chargepointId);
    this.logger.info(
      { chargepointId, failedSignals: streak.failed, failingForS: Math.round((this.now() - streak.since) / 1000) },
      'handling RFID signals works again',
    );
  }
}
