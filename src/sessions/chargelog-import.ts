/**
 * Adds charge-log sessions the gateway does not have. A session is already known when it has the same
 * entry key (an earlier import), or shares more than half of its time or of its meter readings with a
 * stored session of the same chargepoint (the recorder saw it; openWB's and the recorder's clocks and
 * meter samples differ a little). So a second import of the same month adds nothing.
 */
import type { Database } from '../db/database.ts';
import type { Session } from './model.ts';
import { SessionRepository } from './session-repository.ts';

export interface ImportResult {
  imported: number;
  /** Sessions the gateway already had. */
  known: number;
}

/** Length of the intersection of two ranges relative to the shorter one (0 when they are apart). */
function overlapShare(a0: number, a1: number, b0: number, b1: number): number {
  const shorter = Math.min(a1 - a0, b1 - b0);
  const common = Math.min(a1, b1) - Math.max(a0, b0);
  if (common <= 0) return 0;
  return shorter <= 0 ? 1 : common / shorter;
}

/** Same charging when more than half of the shorter one lies within the other (a few seconds of clock skew are not enough). */
const SAME = 0.5;

export async function importSessions(db: Database, sessions: readonly Session[], now = Date.now()): Promise<ImportResult> {
  const repository = new SessionRepository(db);
  return db.transaction(async (tx) => {
    let imported = 0;
    let known = 0;
    for (const s of sessions) {
      const end = s.end ?? s.start;
      const byTime = (await repository.overlapping(tx, s.chargepointId, s.start, end)).some(
        (other) => overlapShare(s.start, end, other.start, other.end ?? Number.MAX_SAFE_INTEGER) > SAME,
      );
      const { meterStart, meterLast } = s;
      const byMeter =
        meterStart !== null &&
        meterLast !== null &&
        meterLast > meterStart &&
        (await repository.overlappingMeter(tx, s.chargepointId, meterStart, meterLast)).some(
          (other) => overlapShare(meterStart, meterLast, other.meterStart as number, other.meterLast as number) > SAME,
        );
      if (!byTime && !byMeter && (await repository.insertIfNew(s, tx, now))) imported++;
      else known++;
    }
    return { imported, known };
  });
}
