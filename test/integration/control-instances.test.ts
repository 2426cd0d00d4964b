import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthGateway } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';
import { uniqueId } from '../support/services.ts';
import { CHARGE_TEMPLATE } from '../unit/openwb/helpers.ts';
import { get, known, put, retained, SetTopicSpy, startSlowOpenWb } from './control-helpers.ts';

/**
 * Two gateway instances sharing Redis (and the database) and an openWB that takes 400 ms to show a change:
 * commands sent to both at once on one chargepoint are serialised across instances and each edits the
 * template the previous one published, so no change is lost.
 */
describe('commands on one chargepoint from two instances', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owg-ctl-'));
  const topicPrefix = `${uniqueId('ctl_inst')}/`;
  const redisKeyPrefix = `${uniqueId('ctl_inst')}:`;
  let a: TestGateway;
  let b: TestGateway;
  let openwb: { close(): Promise<void> };
  let spy: SetTopicSpy;

  beforeAll(async () => {
    openwb = await startSlowOpenWb(topicPrefix, '8', CHARGE_TEMPLATE, 400);
    const options = {
      store: 'redis' as const,
      topicPrefix,
      redisKeyPrefix,
      databaseUrl: `sqlite:${join(dir, 'gw.db')}`,
      env: { RECORDER_ENABLED: 'false', COMMAND_TIMEOUT_S: '5' },
    };
    a = await startAuthGateway(options);
    b = await startAuthGateway(options);
    spy = await SetTopicSpy.open(topicPrefix);
    await known(a, '/api/v1/chargepoints/8/charge-settings');
    await known(b, '/api/v1/chargepoints/8/charge-settings');
  });
  afterAll(async () => {
    await spy?.close();
    await a?.close();
    await b?.close();
    await openwb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every change of concurrent commands', async () => {
    const since = await spy.mark();
    const results = await Promise.all([
      put(a, '/api/v1/chargepoints/8/instant-charging', { current: 24 }),
      put(b, '/api/v1/chargepoints/8/charge-mode', { mode: 'stop' }),
      put(a, '/api/v1/chargepoints/8/pv-charging', { minSoc: 35 }),
      put(b, '/api/v1/chargepoints/8/instant-charging', { phases: 1 }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const published = (await since()).map((m) => JSON.parse(m.payload));
    expect(published).toHaveLength(4);
    expect(published.every((t) => t.id === CHARGE_TEMPLATE.id)).toBe(true);
    const final = JSON.parse((await retained(topicPrefix, 'openWB/chargepoint/8/set/charge_template')) ?? 'null');
    expect(final.chargemode.selected).toBe('stop');
    expect(final.chargemode.instant_charging).toMatchObject({ current: 24, phases_to_use: 1 });
    expect(final.chargemode.pv_charging.min_soc).toBe(35);
    // Both instances answer for every command.
    for (const res of results) {
      await get(a, res.headers.location as string).expect(200);
      await get(b, res.headers.location as string).expect(200);
    }
  });
});

/**
 * An instance whose own ingest hears nothing (here: stopped) still sends commands to openWB on its command
 * connection; openWB's answer reaches it only through Redis, from the instance that ingests it. Its
 * confirmation listens to its replica too, so the command ends `applied`, not `timeout`.
 */
describe('a command sent through an instance that does not ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owg-ctl-replica-'));
  const topicPrefix = `${uniqueId('ctl_repl')}/`;
  const redisKeyPrefix = `${uniqueId('ctl_repl')}:`;
  let ingesting: TestGateway;
  let replicaOnly: TestGateway;
  let openwb: { close(): Promise<void> };

  beforeAll(async () => {
    openwb = await startSlowOpenWb(topicPrefix, '8', CHARGE_TEMPLATE, 50);
    const options = {
      store: 'redis' as const,
      topicPrefix,
      redisKeyPrefix,
      databaseUrl: `sqlite:${join(dir, 'gw.db')}`,
      env: { RECORDER_ENABLED: 'false', COMMAND_TIMEOUT_S: '3' },
    };
    ingesting = await startAuthGateway(options);
    replicaOnly = await startAuthGateway(options);
    await known(ingesting, '/api/v1/chargepoints/8/charge-settings');
    await known(replicaOnly, '/api/v1/chargepoints/8/charge-settings');
    await replicaOnly.gateway.ingest.stop();
  });
  afterAll(async () => {
    await ingesting?.close();
    await replicaOnly?.close();
    await openwb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is confirmed through its replica', async () => {
    const res = await put(replicaOnly, '/api/v1/chargepoints/8/lock', { locked: true });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('applied');
    expect(replicaOnly.gateway.ingest.snapshot().connected).toBe(false);
  });
});
