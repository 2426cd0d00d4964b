import type { Schemas } from '../api/types.ts';
import { createDeviceKey } from '../auth/handlers/device-keys.ts';
import type { KeyManagement } from '../auth/key-management.ts';
import type { Principal } from '../auth/principal.ts';
import { ForbiddenError } from '../errors.ts';
import { isoLocal } from '../history/range.ts';
import { json, type HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import type { MeterRecord } from './meter-repository.ts';
import type { MeterReading, MeterService } from './meter-service.ts';

type MeterHandlers = Pick<
  HandlerTable,
  | 'listMeters'
  | 'createMeter'
  | 'getMeter'
  | 'updateMeter'
  | 'deleteMeter'
  | 'createMeterKey'
  | 'recordMeterPulses'
  | 'reportMeterConnectionLoss'
  | 'getMeterReading'
  | 'getMeterSummary'
  | 'getMeterHistory'
  | 'pulseMeterTick'
  | 'pulseMeterLcdInfo'
  | 'pulseMeterConnectionLoss'
>;

const NO_STORE = { 'Cache-Control': 'no-store' };
const iso = (ms: number) => new Date(ms).toISOString();

export const meterDto = (meter: MeterRecord): Schemas['Meter'] => ({
  id: meter.id,
  name: meter.name,
  userId: meter.userId,
  energyPerPulseWh: meter.energyPerPulseWh,
  startReadingWh: meter.startReadingWh,
  createdAt: iso(meter.createdAt),
  updatedAt: iso(meter.updatedAt),
});

const readingDto = (reading: MeterReading): Schemas['MeterReading'] => ({
  meterId: reading.meter.id,
  at: iso(reading.at),
  meterReadingWh: reading.meterReadingWh,
  energyTodayWh: reading.energyTodayWh,
  day: reading.day,
  timeZone: reading.timeZone,
  powerW: reading.powerW,
  lastIntervalPowerW: reading.lastIntervalPowerW,
  lastPulseAt: reading.lastPulseAt === null ? null : iso(reading.lastPulseAt),
  pulses: reading.meter.pulseCount,
  missedPulses: reading.meter.missedPulses,
});

/** A few bytes for a microcontroller: integers where a display shows integers. */
export const summaryDto = (reading: MeterReading): Schemas['MeterSummary'] => ({
  w: reading.powerW === null ? null : Math.round(reading.powerW),
  wh: Math.round(reading.energyTodayWh),
  kwh: Math.round(reading.meterReadingWh / 10) / 100,
});

/** The smartmeter compatibility paths name no meter: the device key's binding does. */
function boundMeter(principal: Principal | undefined): { principal: Principal; meterId: string } {
  const caller = requirePrincipal(principal);
  if (caller.device?.kind !== 'meter')
    throw new ForbiddenError("This path needs a pulse meter's device key (POST /api/v1/meters/{meterId}/keys)");
  return { principal: caller, meterId: caller.device.id };
}

export function meterHandlers(meters: MeterService, keys: KeyManagement): MeterHandlers {
  return {
    listMeters: async ({ query, principal }) => {
      const page = await meters.list(requirePrincipal(principal), query.cursor, query.limit ?? 50);
      return json(200, { items: page.items.map(meterDto), nextCursor: page.nextCursor }, NO_STORE);
    },
    createMeter: async ({ body, principal, client }) =>
      json(201, meterDto(await meters.create(requirePrincipal(principal), body, client)), NO_STORE),
    getMeter: async ({ params, principal }) => json(200, meterDto(await meters.get(requirePrincipal(principal), params.meterId)), NO_STORE),
    updateMeter: async ({ params, body, principal, client }) =>
      json(200, meterDto(await meters.update(requirePrincipal(principal), params.meterId, body, client)), NO_STORE),
    deleteMeter: async ({ params, principal, client }) => {
      await meters.delete(requirePrincipal(principal), params.meterId, client);
      return { status: 204 as const, headers: NO_STORE };
    },
    createMeterKey: async ({ params, body, principal, client }) => {
      const caller = requirePrincipal(principal);
      const meter = await meters.get(caller, params.meterId);
      return createDeviceKey(keys, caller, { kind: 'meter', id: meter.id }, meter.userId, body, client);
    },
    recordMeterPulses: async ({ params, body, principal }) =>
      json(200, await meters.recordPulses(requirePrincipal(principal), params.meterId, body?.times), NO_STORE),
    reportMeterConnectionLoss: async ({ params, body, principal }) =>
      json(201, await meters.reportConnectionLoss(requirePrincipal(principal), params.meterId, body), NO_STORE),
    getMeterReading: async ({ params, principal }) =>
      json(200, readingDto(await meters.reading(requirePrincipal(principal), params.meterId)), NO_STORE),
    getMeterSummary: async ({ params, principal }) =>
      json(200, summaryDto(await meters.reading(requirePrincipal(principal), params.meterId)), NO_STORE),
    getMeterHistory: async ({ params, query, principal }) => {
      const history = await meters.history(requirePrincipal(principal), params.meterId, query);
      return json(
        200,
        {
          meterId: params.meterId,
          start: isoLocal(history.start),
          end: isoLocal(history.end),
          interval: history.interval,
          timeZone: history.timeZone,
          points: history.points.map((p) => ({
            start: isoLocal(p.start),
            energyWh: p.energyWh,
            pulses: p.pulses,
            missedPulses: p.missedPulses,
          })),
        },
        NO_STORE,
      );
    },
    pulseMeterTick: async ({ principal }) => {
      const bound = boundMeter(principal);
      return json(200, await meters.recordPulses(bound.principal, bound.meterId, undefined), NO_STORE);
    },
    pulseMeterLcdInfo: async ({ principal }) => {
      const bound = boundMeter(principal);
      const reading = await meters.reading(bound.principal, bound.meterId);
      return json(
        200,
        { daily_power: reading.energyTodayWh, current_power: reading.powerW === null ? 0 : Math.trunc(reading.powerW) },
        NO_STORE,
      );
    },
    pulseMeterConnectionLoss: async ({ params, principal }) => {
      const bound = boundMeter(principal);
      const loss = { durationMs: params.duration, pulsesMissed: params.ticksMissed };
      return json(200, await meters.reportConnectionLoss(bound.principal, bound.meterId, loss), NO_STORE);
    },
  };
}
