import type { Schemas } from '../api/types.ts';
import type { RecorderStatus } from './recorder.ts';

/** The `recorder` entry of /health/ready; `stalled` makes the instance not ready. */
export function recorderCheck(status: RecorderStatus): Schemas['RecorderCheck'] {
  const problems: string[] = [];
  if (status.stalledForMs !== undefined) {
    const cause = status.lastError ? `the last write failed: ${status.lastError}` : 'no write round completed (a tick or a write hangs)';
    problems.push(`no statistics written for ${Math.round(status.stalledForMs / 1000)} s: ${cause}`);
  }
  if (status.bufferedSamples > 0 || status.bufferedSessions > 0) {
    problems.push(`${status.bufferedSamples} samples and ${status.bufferedSessions} session updates wait for the database`);
  }
  if (status.lostSamples > 0 || status.lostSessions > 0) {
    problems.push(`${status.lostSamples} samples and ${status.lostSessions} session updates lost to a full buffer since start`);
  }
  if (status.lastError && status.stalledForMs === undefined) problems.push(`last write failed: ${status.lastError}`);
  const stalled = status.stalledForMs !== undefined;
  const ok = status.lostSamples === 0 && status.lostSessions === 0 && !status.lastError && !stalled;
  return {
    ok,
    ...(problems.length ? { detail: problems.join('; ').slice(0, 500) } : {}),
    active: status.active,
    bufferedSamples: status.bufferedSamples,
    bufferedSessions: status.bufferedSessions,
    lostSamples: status.lostSamples,
    lostSessions: status.lostSessions,
    stalled,
    lastWriteAt: status.lastWriteAt === undefined ? null : new Date(status.lastWriteAt).toISOString(),
  };
}
