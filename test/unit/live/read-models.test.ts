import { describe, expect, it } from 'vitest';
import { buildChargePoint, buildSite, freshness, type FreshnessContext } from '../../../src/live/read-models.ts';
import type { EntityFields } from '../../../src/live/model.ts';
import { decodeChargePoint, decodeSite, decodeSystem } from '../../../src/live/views.ts';

const NOW = Date.parse('2026-05-20T12:00:00Z');
const ctx = (over: Partial<FreshnessContext> = {}): FreshnessContext => ({
  now: NOW,
  staleAfterMs: 60_000,
  generation: '2',
  heartbeatReceivedAt: undefined,
  ...over,
});
const at = (value: EntityFields[string]['value'], ageMs: number) => ({ value, receivedAt: NOW - ageMs });
const site = (fields: EntityFields) => decodeSite('pv', fields);
const system = (fields: EntityFields) => decodeSystem('openwb', fields);

describe('freshness', () => {
  it('uses the newest field and the configured bound', () => {
    const fields = site({ power: at(1, 70_000), currents: at([1, 2, 3], 30_000) });
    expect(freshness(fields, ctx())).toEqual({ updatedAt: new Date(NOW - 30_000).toISOString(), stale: false });
    expect(freshness(fields, ctx({ staleAfterMs: 10_000 })).stale).toBe(true);
  });

  it('reports never-received objects as stale with updatedAt null', () => {
    expect(freshness(site({}), ctx())).toEqual({ updatedAt: null, stale: true });
  });

  it('keeps 1.9 values fresh while the heartbeat is (1.9 publishes on change only), not 2.x ones', () => {
    const fields = site({ power: at(0, 600_000) });
    expect(freshness(fields, ctx({ generation: '1.9', heartbeatReceivedAt: NOW - 5_000 })).stale).toBe(false);
    expect(freshness(fields, ctx({ generation: '1.9', heartbeatReceivedAt: NOW - 120_000 })).stale).toBe(true);
    expect(freshness(fields, ctx({ generation: '2', heartbeatReceivedAt: NOW - 5_000 })).stale).toBe(true);
  });
});

describe('chargepoint read model', () => {
  it('assembles 1.9 per-phase fields and falls back to the global charge mode', () => {
    const cp = buildChargePoint(
      decodeChargePoint('1', { currentL1: at(16, 0), currentL3: at(15.5, 0), chargeMode: at('bogus', 0) }),
      system({ chargeMode: at('stop', 0) }),
      ctx({ generation: '1.9' }),
    );
    expect(cp.currents).toEqual([16, null, 15.5]);
    expect(cp.voltages).toBeNull();
    // An unknown stored mode is not passed through; the per-chargepoint field wins over the global one.
    expect(cp.chargeMode).toBeNull();
    expect(buildChargePoint(decodeChargePoint('1', {}), system({ chargeMode: at('stop', 0) }), ctx()).chargeMode).toBe('stop');
  });

  it('gives null for missing or mistyped values instead of breaking the contract', () => {
    const cp = buildChargePoint(
      decodeChargePoint('3', { power: at('11040', 0), plugged: at(1, 0), faultState: at('broken', 0) }),
      system({}),
      ctx(),
    );
    expect(cp).toMatchObject({ power: null, plugged: null, fault: null, vehicle: null, name: null });
  });
});

describe('site read model', () => {
  it('marks parts openWB never published as stale with null values', () => {
    const model = buildSite(
      { grid: decodeSite('grid', { power: at(100, 0) }), pv: site({}), battery: decodeSite('battery', {}), home: decodeSite('home', {}) },
      ctx(),
    );
    expect(model.grid).toMatchObject({ power: 100, stale: false });
    expect(model.battery).toEqual({ power: null, soc: null, energyImported: null, energyExported: null, updatedAt: null, stale: true });
  });
});
