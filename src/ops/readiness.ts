import type { ReadinessDto } from '../api/types.ts';

type Check = ReadinessDto['checks']['broker'];

const TIMEOUT_MS = 2_000;

/** Runs a dependency check with a deadline, reporting its latency and never throwing. */
export async function check(probe: () => Promise<void>): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    return { ok: false, detail: (error as Error).message.slice(0, 500) };
  } finally {
    clearTimeout(timer);
  }
}
