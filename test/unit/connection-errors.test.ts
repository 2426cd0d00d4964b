import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { logConnectionErrors } from '../../src/connection-errors.ts';

function recordingLogger() {
  const lines: [string, string, object][] = [];
  return {
    lines,
    warn: (fields: object, message: string) => lines.push(['warn', message, fields]),
    info: (fields: object, message: string) => lines.push(['info', message, fields]),
  };
}

describe('connection errors', () => {
  it('logs the first error of an outage and one line when connected again, with the count', () => {
    const client = new EventEmitter();
    const logger = recordingLogger();
    let now = 1_000;
    logConnectionErrors(client, logger, 'Redis', 'ready', () => now);
    for (let i = 0; i < 27; i++) client.emit('error', new Error('connect ECONNREFUSED'));
    now += 20_000;
    client.emit('ready');
    expect(logger.lines).toEqual([
      ['warn', 'Redis error (repeats are counted until it is connected again)', { err: 'connect ECONNREFUSED' }],
      ['info', 'Redis connected again', { errors: 27, seconds: 20 }],
    ]);
    client.emit('ready');
    client.emit('error', new Error('read ECONNRESET'));
    expect(logger.lines).toHaveLength(3);
    expect(logger.lines[2]).toEqual(['warn', 'Redis error (repeats are counted until it is connected again)', { err: 'read ECONNRESET' }]);
  });
});
