import type { AuditClient } from '../../audit/audit.ts';
import { createDeviceKey } from '../../auth/handlers/device-keys.ts';
import type { KeyManagement } from '../../auth/key-management.ts';
import type { Principal } from '../../auth/principal.ts';
import { ForbiddenError } from '../../errors.ts';
import { json, noContent, type HandlerTable } from '../../http/operation-types.ts';
import { requirePrincipal } from '../../http/security.ts';
import type { SeriesCaller } from '../caller.ts';
import { pointDto, seriesDto } from '../dto.ts';
import type { MeasurementService } from '../measurement-service.ts';

type SeriesHandlers = Pick<
  HandlerTable,
  | 'listMeasurementSeries'
  | 'createMeasurementSeries'
  | 'getMeasurementSeries'
  | 'deleteMeasurementSeries'
  | 'writeMeasurementPoints'
  | 'listMeasurementPoints'
  | 'aggregateMeasurementPoints'
  | 'createMeasurementSeriesKey'
>;

/** Device keys of a series: made for it, revoked with it. */
export type SeriesKeys = Pick<KeyManagement, 'createForDevice' | 'revokeForDevice'>;

export const seriesDevice = (id: number) => ({ kind: 'series' as const, id: String(id) });

/** Revokes the device keys of a deleted series. */
export async function revokeSeriesKeys(keys: SeriesKeys, principal: Principal | undefined, id: number, client: AuditClient) {
  if (principal) await keys.revokeForDevice(principal, seriesDevice(id), client);
}

/** The measurement service's view of a principal: its user, whether admin, and the series a device key is bound to. */
export function callerOf(principal: Principal): SeriesCaller {
  const device = principal.device;
  if (device && device.kind !== 'series') throw new ForbiddenError(`This key is bound to ${device.kind} ${device.id}, not to a series`);
  return {
    kind: 'user',
    userId: principal.userId,
    admin: principal.role === 'admin' && !device,
    ...(device ? { boundSeriesId: Number(device.id) } : {}),
  };
}

const caller = (principal: Principal | undefined) => callerOf(requirePrincipal(principal));

export function seriesHandlers(series: MeasurementService, keys: SeriesKeys): SeriesHandlers {
  return {
    listMeasurementSeries: async ({ query, principal }) => {
      const page = await series.list(caller(principal), { limit: query.limit ?? 100, cursor: query.cursor });
      return json(200, { items: page.items.map(seriesDto), nextCursor: page.nextCursor });
    },
    createMeasurementSeries: async ({ body, principal }) => {
      const created = await series.create(caller(principal), body);
      return json(201, seriesDto(created), { Location: `/api/v1/series/${created.id}` });
    },
    getMeasurementSeries: async ({ params, principal }) =>
      json(200, seriesDto(await series.readable(caller(principal), Number(params.seriesId)))),
    deleteMeasurementSeries: async ({ params, principal, client }) => {
      const id = Number(params.seriesId);
      await series.remove(caller(principal), id);
      await revokeSeriesKeys(keys, principal, id, client);
      return noContent();
    },
    createMeasurementSeriesKey: async ({ params, body, principal, client }) => {
      const found = await series.readable(caller(principal), Number(params.seriesId));
      return createDeviceKey(keys as KeyManagement, requirePrincipal(principal), seriesDevice(found.id), found.ownerId, body, client);
    },
    writeMeasurementPoints: async ({ params, body, principal }) => {
      const { written } = await series.write(caller(principal), Number(params.seriesId), body.points);
      return json(201, { written });
    },
    listMeasurementPoints: async ({ params, query, principal }) => {
      const page = await series.points(caller(principal), Number(params.seriesId), { ...query, limit: query.limit ?? 1000 });
      return json(200, { items: page.items.map(pointDto), nextCursor: page.nextCursor });
    },
    aggregateMeasurementPoints: async ({ params, query, principal }) =>
      json(200, await series.aggregate(caller(principal), Number(params.seriesId), query)),
  };
}
