import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveModel } from '../../../src/live/live-model.ts';
import { MemoryLiveStore } from '../../../src/live/memory-store.ts';
import type { FieldUpdate } from '../../../src/live/model.ts';
import { RfidWatcher } from '../../../src/profiles/rfid-watcher.ts';
import { SIGNAL_FAILURE_REMINDER_MS, SignalFailureLog } from '../../../src/profiles/signal-failure-log.ts';

interface Line {
  level: number;
  msg: string;
  chargepointId?: string;
  failedSignals?: number;
  failingForS?: number;
  err?: string;
}

function capturingLogger() {
  const lines: Line[] = [];
  const logger = pino({ level: 'info' }, { write: (text: string) => lines.push(JSON.parse(text) as Line) });
  return { logger, lines };
}

describe('logging failed RFID signals', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-05-20T10:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('logs a failure once when it starts, reminds every few minutes, and once when it works again with the count', () => {
    const { logger, lines } = capturingLogger();
    const failures = new SignalFailureLog(logger);
    failures.handled('1'); // nothing failed: nothing to say
    for (let second = 0; second < 120; second++) {
      failures.failed('1', new Error('connection refused'));
      vi.advanceTimersByTime(1000);
    }
    expect(lines).toEqual([expect.objectContaining({ level: 50, chargepointId: '1', err: 'connection refused' })]);

    vi.advanceTimersByTime(SIGNAL_FAILURE_REMINDER_MS - 120_000);
    failures.failed('1', new Error('connection refused'));
    expect(lines.slice(1)).toEqual([
      expect.objectContaining({ level: 50, chargepointId: '1', failedSignals: 121, failingForS: SIGNAL_FAILURE_REMINDER_MS / 1000 }),
    ]);

    vi.advanceTimersByTime(5000);
    failures.handled('1');
    failures.handled('1');
    expect(lines.slice(2)).toEqual([
      expect.objectContaining({ level: 30, chargepointId: '1', failedSignals: 121, failingForS: SIGNAL_FAILURE_REMINDER_MS / 1000 + 5 }),
    ]);
    expect(lines.map((line) => line.msg)).toEqual([
      'handling RFID signals fails; logged again when it works',
      'handling RFID signals still fails',
      'handling RFID signals works again',
    ]);
  });

  it('keeps one streak per chargepoint: another one handled meanwhile does not end it', () => {
    const { logger, lines } = capturingLogger();
    const failures = new SignalFailureLog(logger);
    for (let second = 0; second < 30; second++) {
      failures.failed('1', new Error('down'));
      failures.handled('2');
      vi.advanceTimersByTime(1000);
    }
    failures.handled('1');
    expect(lines.map((line) => [line.chargepointId, line.failedSignals])).toEqual([
      ['1', undefined],
      ['1', 30],
    ]);
  });

  it('is what the RFID watcher logs while the database cannot claim the bound tag openWB repeats every cycle', async () => {
    const { logger, lines } = capturingLogger();
    let listener: (updates: readonly FieldUpdate[]) => void = () => undefined;
    let databaseUp = false;
    const watcher = new RfidWatcher({
      source: (onUpdates) => {
        listener = onUpdates;
        return () => undefined;
      },
      live: new LiveModel(new MemoryLiveStore()),
      events: {
        claim: async () => (databaseUp ? false : Promise.reject(new Error('connect ECONNREFUSED'))),
        close: async () => undefined,
      },
      applier: { handle: () => Promise.reject(new Error('no tag is new here')), stop: () => undefined },
      logger,
    });
    watcher.start();
    const cycle = async () => {
      listener([{ kind: 'chargepoint', id: '1', field: 'rfidTag', value: '04A1B2C3', receivedAt: Date.now() }]);
      await watcher.idle();
      vi.advanceTimersByTime(1000);
    };

    for (let second = 0; second < 120; second++) await cycle();
    databaseUp = true;
    await cycle();
    await cycle();
    await watcher.stop();
    expect(lines.map((line) => [line.msg, line.failedSignals])).toEqual([
      ['handling RFID signals fails; logged again when it works', undefined],
      ['handling RFID signals works again', 120],
    ]);
  });
});
