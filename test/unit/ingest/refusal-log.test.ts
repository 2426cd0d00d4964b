import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REFUSAL_LOG_LINES_PER_WINDOW, REFUSAL_LOG_WINDOW_MS, RefusalLog } from '../../../src/ingest/refusal-log.ts';

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('refusal log', () => {
  it('logs each topic once per window, however often it is refused', () => {
    const { logger, lines } = recordingLogger();
    let now = 0;
    const log = new RefusalLog(logger, () => now);
    for (let i = 0; i < 1000; i++) log.refused('openWB/chargepoint/3/get/imported', 'out-of-range', 'imported is out-of-range');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ topic: 'openWB/chargepoint/3/get/imported', refusal: 'out-of-range' });

    now = REFUSAL_LOG_WINDOW_MS;
    log.refused('openWB/chargepoint/3/get/imported', 'out-of-range', 'again');
    expect(lines.map((line) => line['suppressed'] ?? line['topic'])).toEqual([
      'openWB/chargepoint/3/get/imported',
      999,
      'openWB/chargepoint/3/get/imported',
    ]);
  });

  it('caps the lines per window when every message uses a new topic', () => {
    const { logger, lines } = recordingLogger();
    const log = new RefusalLog(logger, () => 0);
    for (let i = 0; i < 10_000; i++) log.refused(`openWB/chargepoint/x${i}/get/power`, 'invalid-id', 'not an id');
    expect(lines).toHaveLength(REFUSAL_LOG_LINES_PER_WINDOW);
  });
});
