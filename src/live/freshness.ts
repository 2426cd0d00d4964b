/** When a live value counts as current: received within STALE_AFTER_S, or kept alive by openWB 1.9's heartbeat. */
import type { Generation } from '../openwb/generation.ts';
import type { SystemView } from './views.ts';

export interface FreshnessContext {
  now: number;
  staleAfterMs: number;
  generation: Generation | undefined;
  /** When the gateway last received openWB's heartbeat (ms), if ever. */
  heartbeatReceivedAt: number | undefined;
}

export function freshnessContext(system: SystemView, staleAfterMs: number, now: number): FreshnessContext {
  return { now, staleAfterMs, generation: system.fields.generation?.value, heartbeatReceivedAt: system.fields.heartbeat?.receivedAt };
}

/**
 * The moment a value received at `receivedAt` turns stale (-Infinity: never received). openWB 1.9 publishes
 * a value only when it changes, so there an unchanged value stays current while openWB's heartbeat does.
 */
export function staleAt(receivedAt: number | undefined, ctx: FreshnessContext): number {
  if (receivedAt === undefined) return -Infinity;
  const aliveAt =
    ctx.generation === '1.9' && ctx.heartbeatReceivedAt !== undefined ? Math.max(receivedAt, ctx.heartbeatReceivedAt) : receivedAt;
  return aliveAt + ctx.staleAfterMs;
}

/** A value (or an entity, by its `updatedAt`) is stale once `staleAt` has passed; one never received is stale. */
export function isStale(receivedAt: number | undefined, ctx: FreshnessContext): boolean {
  return ctx.now > staleAt(receivedAt, ctx);
}
