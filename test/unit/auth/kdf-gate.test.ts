import { describe, expect, it } from 'vitest';
import { KdfGate } from '../../../src/auth/kdf-gate.ts';

describe('KDF gate', () => {
  it('runs at most `concurrency` jobs at once and refuses beyond the queue', async () => {
    const gate = new KdfGate(1, 2);
    let running = 0;
    let peak = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const job = async () => {
      running++;
      peak = Math.max(peak, running);
      await released;
      running--;
      return 'done';
    };
    const runs = [gate.run(job), gate.run(job), gate.run(job), gate.run(job), gate.run(job)];
    expect(await runs[3]).toBeUndefined(); // refused at once while the first job still holds the only slot
    expect(await runs[4]).toBeUndefined();
    expect([running, gate.busy]).toEqual([1, 3]);
    release();
    const results = await Promise.all(runs);
    expect(peak).toBe(1);
    expect(results.filter((r) => r?.value === 'done')).toHaveLength(3);
    expect(gate.busy).toBe(0);
  });

  it('frees the slot when a job throws', async () => {
    const gate = new KdfGate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 1)).toEqual({ value: 1 });
  });
});
