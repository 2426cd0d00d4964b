/**
 * Pulse meters: owners (and admins) manage their meters; a device key bound to a meter reports its pulses
 * and reads it (the security step has already checked that the key names this meter). Knows neither HTTP
 * nor the SQL dialect.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AuditService } from '../audit/audit-service.ts';
import { actorOf, type AuditClient } from '../audit/audit.ts';
import type { KeyManagement } from '../auth/key-management.ts';
import type { Principal } from '../auth/principal.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { bucketEdges, type BucketInterval } from '../history/buckets.ts';
import { resolutionFor } from '../history/history-service.ts';
import { isoLocal, parseZone, resolveRange } from '../history/range.ts';
import type { MeterCursor, MeterRecord, MeterRepository } from './meter-repository.ts';
import {
  energyWh,
  foldIntoBuckets,
  MAX_FUTURE_SKEW_MS,
  meterReadingWh,
  powerAt,
  pulseTimes,
  todayIn,
  type BucketTotals,
} from './pulse-math.ts';

export const MAX_HISTORY_BUCKETS = 10_000;

export interface MeterInput {
  name: string;
  energyPerPulseWh: number;
  startReadingWh?: number;
}

export interface MeterReading {
  meter: MeterRecord;
  at: number;
  meterReadingWh: number;
  energyTodayWh: number;
  day: string;
  timeZone: string;
  powerW: number | null;
  lastIntervalPowerW: number | null;
  lastPulseAt: number | null;
}

export interface MeterHistoryQuery {
  start?: string;
  end?: string;
  duration?: string;
  interval?: BucketInterval | '5min';
  tz?: string;
}

export interface MeterHistory {
  start: DateTime;
  end: DateTime;
  interval: BucketInterval | '5min';
  timeZone: string;
  points: (BucketTotals & { start: DateTime; energyWh: number })[];
}

const encodeCursor = (meter: MeterRecord) => `${meter.createdAt}_${meter.id}`;
function decodeCursor(cursor: string): MeterCursor {
  const match = /^(\d{1,15})_([0-9a-f-]{36})$/.exec(cursor);
  if (!match) throw new InvalidInputError('cursor: not a cursor this operation gave out');
  return { createdAt: Number(match[1]), id: match[2] as string };
}

export class MeterService {
  constructor(
    private readonly deps: {
      repository: MeterRepository;
      keys: KeyManagement;
      audit: AuditService;
      /** The installation's zone: "today" and the history's default. */
      timeZone: string;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  async create(principal: Principal, input: MeterInput, client: AuditClient): Promise<MeterRecord> {
    const now = this.now;
    const meter: MeterRecord = {
      id: randomUUID(),
      userId: principal.userId,
      name: input.name,
      energyPerPulseWh: input.energyPerPulseWh,
      startReadingWh: input.startReadingWh ?? 0,
      pulseCount: 0,
      missedPulses: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.repository.insert(meter);
    await this.audit('meter.create', principal, meter.id, client, { name: meter.name, energyPerPulseWh: meter.energyPerPulseWh });
    return meter;
  }

  async list(
    principal: Principal,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: MeterRecord[]; nextCursor: string | null }> {
    const owner = principal.role === 'admin' ? undefined : principal.userId;
    const rows = await this.deps.repository.list(owner, cursor === undefined ? undefined : decodeCursor(cursor), limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1] as MeterRecord) : null };
  }

  /** The meter if the caller may use it: its device key, its owner, an admin. Others' meters are "not found". */
  async get(principal: Principal, id: string): Promise<MeterRecord> {
    const meter = await this.deps.repository.get(id);
    const device = principal.device;
    const allowed =
      meter && (device ? device.kind === 'meter' && device.id === id : principal.role === 'admin' || meter.userId === principal.userId);
    if (!meter || !allowed) throw new NotFoundError(`Meter ${id} does not exist`);
    return meter;
  }

  async update(principal: Principal, id: string, change: Partial<MeterInput>, client: AuditClient): Promise<MeterRecord> {
    const meter = await this.get(principal, id);
    const updated: MeterRecord = {
      ...meter,
      name: change.name ?? meter.name,
      energyPerPulseWh: change.energyPerPulseWh ?? meter.energyPerPulseWh,
      startReadingWh: change.startReadingWh ?? meter.startReadingWh,
      updatedAt: this.now,
    };
    if (!(await this.deps.repository.update(updated))) throw new NotFoundError(`Meter ${id} does not exist`);
    await this.audit('meter.update', principal, id, client, { fields: Object.keys(change).sort().join(',') });
    return updated;
  }

  /** Revokes its device keys first: a key of a deleted meter must not outlive it even if the deletion fails halfway. */
  async delete(principal: Principal, id: string, client: AuditClient): Promise<void> {
    await this.get(principal, id);
    await this.deps.keys.revokeForDevice(principal, { kind: 'meter', id }, client);
    if (!(await this.deps.repository.delete(id))) throw new NotFoundError(`Meter ${id} does not exist`);
    await this.audit('meter.delete', principal, id, client, {});
  }

  async createKey(principal: Principal, id: string, body: { name: string; expiresAt?: number | null }, client: AuditClient) {
    const meter = await this.get(principal, id);
    return this.deps.keys.createForDevice(principal, { kind: 'meter', id }, meter.userId, body, client);
  }

  /** No `times`: one pulse now. Duplicates (same ms) are counted once. */
  async recordPulses(principal: Principal, id: string, texts: readonly string[] | undefined) {
    await this.get(principal, id);
    const now = this.now;
    const parsed = texts === undefined ? { times: [now] } : pulseTimes(texts, now);
    if ('invalid' in parsed) {
      throw new InvalidInputError(
        `times: ${parsed.invalid.slice(0, 40)} ${parsed.reason}${parsed.reason === 'lies in the future' ? ` (more than ${MAX_FUTURE_SKEW_MS / 1000} s ahead of the gateway's clock)` : ''}`,
      );
    }
    const received = texts?.length ?? 1;
    const recorded = await this.deps.repository.addPulses(id, parsed.times);
    const meter = await this.get(principal, id);
    return {
      received,
      recorded,
      duplicates: received - recorded,
      meterReadingWh: meterReadingWh(meter, meter.pulseCount, meter.missedPulses),
    };
  }

  async reportConnectionLoss(
    principal: Principal,
    id: string,
    loss: { durationMs: number; pulsesMissed: number; endedAt?: string },
  ): Promise<{ recorded: boolean; meterReadingWh: number }> {
    await this.get(principal, id);
    const now = this.now;
    const endedAt = loss.endedAt === undefined ? now : Date.parse(loss.endedAt);
    if (!Number.isFinite(endedAt) || endedAt < 0) throw new InvalidInputError('endedAt: not a date-time');
    if (endedAt > now + MAX_FUTURE_SKEW_MS) throw new InvalidInputError('endedAt: lies in the future');
    const recorded = await this.deps.repository.addConnectionLoss(id, {
      endedAt,
      durationMs: loss.durationMs,
      pulsesMissed: loss.pulsesMissed,
    });
    const meter = await this.get(principal, id);
    return { recorded, meterReadingWh: meterReadingWh(meter, meter.pulseCount, meter.missedPulses) };
  }

  async reading(principal: Principal, id: string): Promise<MeterReading> {
    await this.get(principal, id);
    const now = this.now;
    const zone = this.deps.timeZone;
    const today = todayIn(now, zone);
    const state = await this.deps.repository.state(id, today.start);
    if (!state) throw new NotFoundError(`Meter ${id} does not exist`);
    const { meter } = state;
    const power = powerAt(
      { energyPerPulseWh: meter.energyPerPulseWh, lastPulses: state.lastPulses, lastLossEndedAt: state.lastLossEndedAt },
      now,
    );
    return {
      meter,
      at: now,
      meterReadingWh: meterReadingWh(meter, meter.pulseCount, meter.missedPulses),
      energyTodayWh: energyWh(meter.energyPerPulseWh, state.pulsesSince + state.missedSince),
      day: today.day,
      timeZone: zone,
      ...power,
      lastPulseAt: state.lastPulses[0] ?? null,
    };
  }

  async history(principal: Principal, id: string, query: MeterHistoryQuery): Promise<MeterHistory> {
    const meter = await this.get(principal, id);
    const zone = parseZone(query.tz, this.deps.timeZone);
    const requested = query.interval ?? 'day';
    const interval: BucketInterval = requested === '5min' ? '5m' : requested;
    const now = this.now;
    const noRange = query.start === undefined && query.end === undefined && query.duration === undefined;
    const start = noRange ? isoLocal(DateTime.fromMillis(now, { zone }).startOf('day')) : query.start;
    const range = resolveRange(
      { start, end: query.end, duration: query.duration, names: { start: 'start', end: 'end' } },
      zone,
      interval,
      now,
    );
    const edges = bucketEdges(
      range.start,
      range.end,
      interval,
      MAX_HISTORY_BUCKETS,
      () =>
        `maxPoints: the request needs more than ${MAX_HISTORY_BUCKETS} ${interval} buckets; choose a coarser interval or a shorter range`,
    );
    const edgeMs = edges.map((edge) => edge.toMillis());
    // The coarsest UTC slots whose edges are the buckets' edges (hours for Europe/Berlin, days for UTC).
    const resolution = resolutionFor(edgeMs);
    const { slots, losses } = await this.deps.repository.history(id, resolution, edgeMs[0] as number, edgeMs[edgeMs.length - 1] as number);
    const totals = foldIntoBuckets(edgeMs, slots, losses);
    return {
      start: range.start,
      end: range.end,
      interval: requested,
      timeZone: zone,
      points: totals.map((total, b) => ({
        ...total,
        start: edges[b] as DateTime,
        energyWh: energyWh(meter.energyPerPulseWh, total.pulses + total.missedPulses),
      })),
    };
  }

  private audit(action: string, principal: Principal, id: string, client: AuditClient, detail: Record<string, string | number>) {
    return this.deps.audit.record({ action, actor: actorOf(principal), target: { type: 'meter', id }, client, detail });
  }
}
