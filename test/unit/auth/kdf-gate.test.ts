import { describe, expect, it } from 'vitest';
import { KdfGate } from '../../../src/auth/kdf-gate.ts';

describe('KDF gate', () => {
  it('runs at most `concurrency` jobs at once and refuses beyond the queue', async () => {
    const gate = new KdfGate(1, 2);
    let running = 0;
    let peak = 0;
    const job = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return 'done';
    };
    const results = await Promise.all([gate.run(job), gate.run(job), gate.run(job), gate.run(job), gate.run(job)]);
    expect(peak).toBe(1);
    expect(results.filter((r) => r?.value === 'done')).toHaveLength(3);
    expect(results.filter((r) => r === undefined)).toHaveLength(2);
    expect(gate.busy).toBe(0);
  });

  it('frees the slot when a job throws', async () => {
    const gate = new KdfGate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 1)).toEqual({ value: 1 });
  });
});
