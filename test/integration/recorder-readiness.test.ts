import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

describe('readiness of a gateway whose recorder cannot write', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ store: 'memory', env: { RECORD_INTERVAL_S: '1', RECORDER_LOCK_TTL_S: '3' } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('turns unavailable with the reason while the database answers but takes no writes, and ready again after', async () => {
    const power = (value: number) => [{ kind: 'site' as const, id: 'home', field: 'power', value, receivedAt: Date.now() }];
    await gw.gateway.liveStore.apply(power(400));
    const ready = async () => (await gw.http.get('/health/ready')).body as { status: string; checks: Record<string, unknown> };
    await expect
      .poll(async () => (await ready()).checks.recorder, { timeout: 10_000 })
      .toMatchObject({ ok: true, lastWriteAt: expect.any(String) });

    await gw.gateway.db.execute('PRAGMA query_only = ON');
    await expect
      .poll(
        async () => {
          await gw.gateway.liveStore.apply(power(410));
          return gw.http.get('/health/ready');
        },
        { timeout: 15_000, interval: 500 },
      )
      .toMatchObject({ status: 503 });
    const body = await ready();
    expect(body.status).toBe('unavailable');
    expect(body.checks).toMatchObject({ database: { ok: true }, recorder: { ok: false, active: true, stalled: true } });
    expect((body.checks.recorder as { detail: string }).detail).toMatch(
      /^no statistics written for \d+ s: the last write failed: SQLITE_READONLY: attempt to write a readonly database/,
    );

    await gw.gateway.db.execute('PRAGMA query_only = OFF');
    await expect.poll(async () => (await gw.http.get('/health/ready')).status, { timeout: 10_000, interval: 500 }).toBe(200);
    expect((await ready()).checks.recorder).toMatchObject({ ok: true, stalled: false, bufferedSamples: 0 });
  });
});
