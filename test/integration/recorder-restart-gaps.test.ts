import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveReader } from '../../src/recorder/recorder.ts';
import { BOTH_DATABASES, type DatabaseTarget } from '../support/databases.ts';
import { INTERVAL, liveWorld, makeRecorder, type LiveWorld, type RecorderHarness } from '../support/recorder-world.ts';

const DAY = 86_400_000;
const notRecording = (h: RecorderHarness) => h.metric('recorder_sample_gaps_total', { reason: 'not-recording' });
const notRunningLogs = (h: RecorderHarness) => h.logs.filter((l) => l.msg.startsWith('recorder was not running'));

/** Live reads that list chargepoint 5 only while `world.retired` is false. */
function withRetirable(world: LiveWorld) {
  const state = { retired: false };
  const live: LiveReader = {
    listChargePoints: async () => (await world.live.listChargePoints()).filter((cp) => !(state.retired && cp.id === '5')),
    getSite: () => world.live.getSite(),
    listVehicles: () => world.live.listVehicles(),
  };
  return { live, state };
}

describe.each(BOTH_DATABASES)('ticks no recorder took, on %s', (_name, makeTarget) => {
  let target: DatabaseTarget;
  beforeAll(async () => {
    target = await makeTarget('restart-gaps');
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it('counts the ticks after the last stored sample as not-recording gaps of the series live at the first tick', async () => {
    const start = Date.parse('2026-05-20T10:00:00Z');
    const world = liveWorld(start);
    const { set, clock } = world;
    const { live, state } = withRetirable(world);
    const fill = async () => {
      await set('site', 'home', { power: 400 });
      await set('chargepoint', '3', { power: 0, energyImported: 1000, energyExported: 0 });
      await set('chargepoint', '5', { power: 0, energyImported: 50, energyExported: 0 });
    };
    const crashed = makeRecorder(target.db, world, { live });
    for (let tick = 1; tick <= 5; tick++) {
      clock.now = start + tick * INTERVAL;
      await fill();
      await crashed.recorder.sampleOnce();
      if (tick <= 3) await crashed.recorder.flush(); // ticks 4 and 5 stay buffered: lost with the process
    }
    expect(await notRecording(crashed)).toBe(0); // an empty database: nothing before the first tick

    // No stop(): the process died. Twelve ticks later a new instance starts; chargepoint 5 is gone, 9 is new,
    // and home has not published since (stale): it was recorded before, so it is due from the first tick on.
    clock.now = start + 12 * INTERVAL;
    state.retired = true;
    await set('chargepoint', '3', { power: 0, energyImported: 1000, energyExported: 0 });
    await set('chargepoint', '9', { power: 0, energyImported: 10, energyExported: 0 });
    const restarted = makeRecorder(target.db, world, { live });
    await restarted.recorder.sampleOnce();
    await restarted.recorder.flush();
    // Ticks 4 to 11 (8) of home and chargepoint 3 (4 series); not chargepoint 5 (retired) nor 9 (never recorded).
    expect(await notRecording(restarted)).toBe(8 * 4);
    expect(notRunningLogs(restarted)).toEqual([
      expect.objectContaining({
        msg: 'recorder was not running from 2026-05-20T10:00:40.000Z to 2026-05-20T10:01:50.000Z: 32 samples of 4 series not recorded',
        samples: 32,
        series: 4,
      }),
    ]);
    expect({
      expected: await restarted.metric('recorder_samples_expected_total'),
      written: await restarted.metric('recorder_samples_written_total'),
      gaps: await restarted.metric('recorder_sample_gaps_total'),
    }).toEqual({ expected: 32 + 1 + 6, written: 6, gaps: 32 + 1 });
    expect(await restarted.metric('recorder_sample_gaps_total', { reason: 'stale' })).toBe(1);

    clock.now += INTERVAL; // counted once, at the first tick only
    await fill();
    await restarted.recorder.sampleOnce();
    await restarted.recorder.flush();
    expect(await notRecording(restarted)).toBe(32);
    expect(notRunningLogs(restarted)).toHaveLength(1);
  });

  it('counts at most one day back, and nothing for a series silent for a day before the recorder stopped', async () => {
    const start = Date.parse('2026-06-01T10:00:00Z');
    const world = liveWorld(start);
    const { set, clock } = world;
    const before = makeRecorder(target.db, world);
    const tick = async () => {
      await before.recorder.sampleOnce();
      await before.recorder.flush();
    };
    clock.now += INTERVAL;
    await set('site', 'home', { power: 400 });
    await set('site', 'battery', { power: 0 });
    await tick();
    clock.now += 2 * DAY; // the battery has not published since
    await set('site', 'home', { power: 400 });
    await tick();
    await before.recorder.stop();

    clock.now += 3 * DAY; // switched off for three days
    await set('site', 'home', { power: 410 });
    await set('site', 'battery', { power: 0 });
    const after = makeRecorder(target.db, world);
    await after.recorder.sampleOnce();
    expect(await notRecording(after)).toBe(DAY / INTERVAL - 1);
    expect(notRunningLogs(after)[0]).toMatchObject({ series: 1, from: new Date(clock.now - DAY + INTERVAL).toISOString() });
    await after.recorder.stop();
  });
});
