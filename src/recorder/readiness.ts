import type { Schemas } from '../api/types.ts';
import type { RecorderStatus } from './recorder.ts';

/** The `recorder` entry of /health/ready: informational, it does not change the readiness status. */
export function recorderCheck(status: RecorderStatus): Schemas['RecorderCheck'] {
  const problems: string[] = [];
  if (status.bufferedSamples > 0 || status.bufferedSessions > 0) {
    problems.push(`${status.bufferedSamples} samples and ${status.bufferedSessions} session updates wait for the database`);
  }
  if (status.lostSamples > 0 || status.lostSessions > 0) {
    problems.push(`${status.lostSamples} samples and ${status.lostSessions} session updates lost to a full buffer since start`);
  }
  if (status.lastError) problems.push(`last write failed: ${status.lastError}`);
  const ok = status.lostSamples === 0 && status.lostSessions === 0 && !status.lastError;
  return {
    ok,
    ...(problems.length ? { detail: problems.join('; ').slice(0, 500) } : {}),
    active: status.active,
    bufferedSamples: status.bufferedSamples,
    bufferedSessions: status.bufferedSessions,
    lostSamples: status.lostSamples,
    lostSessions: status.lostSessions,
  };
}
