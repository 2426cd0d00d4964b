/**
 * The timeseries-api wire mode (fakufaku/timeseries-api, see openapi.yaml tag timeseries-api): its paths,
 * statuses and bodies over the same series as /api/v1/series. Its token travels in the JSON body; it is
 * checked here as one of this gateway's API keys (header credentials, checked by the security step, work too).
 */
import { grants, type Scope } from '../../auth/api-key.ts';
import type { Authenticator } from '../../auth/authenticator.ts';
import type { Principal } from '../../auth/principal.ts';
import { DomainError, ForbiddenError, InvalidInputError, NotAuthenticatedError, UnavailableError } from '../../errors.ts';
import { json, noContent, type HandlerTable } from '../../http/operation-types.ts';
import { ANONYMOUS, type SeriesCaller } from '../caller.ts';
import { wirePoint, wireSeries } from '../dto.ts';
import { callerOf, revokeSeriesKeys, type SeriesKeys } from './series.ts';
import type { MeasurementService } from '../measurement-service.ts';

type TimeseriesHandlers = Pick<
  HandlerTable,
  | 'listTimeseriesSeries'
  | 'createTimeseriesSeries'
  | 'getTimeseriesSeriesPoints'
  | 'deleteTimeseriesSeries'
  | 'createTimeseriesPoint'
  | 'getTimeseriesPoint'
  | 'deleteTimeseriesPoint'
  | 'countTimeseriesPoints'
>;

export interface TimeseriesDeps {
  series: MeasurementService;
  authenticator: Pick<Authenticator, 'authenticate'>;
  /** The owner's name for `user` in listings (undefined: unknown user). */
  userName(id: string): Promise<string | undefined>;
  /** TIMESERIES_API_PUBLIC_READS: anonymous callers may read every series. */
  publicReads: boolean;
  keys: SeriesKeys;
}

/** A body key the wire mode needs: checked after the token (a request without credentials is a 401 first). */
function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new InvalidInputError(`${name} is missing`);
  return value;
}

const MISSING_TOKEN = 'Missing token: send your API key as "token" in the JSON body, or in the x-api-key header';

export function timeseriesHandlers(deps: TimeseriesDeps): TimeseriesHandlers {
  const { series } = deps;

  /** The caller of a write: header credentials (already checked), else the body's token. Never echoes the token. */
  async function writer(
    principal: Principal | undefined,
    body: { token?: unknown } | undefined,
    scope: Scope,
    deviceOperation = false,
  ): Promise<{ principal: Principal; caller: SeriesCaller }> {
    let found = principal;
    if (!found) {
      const token = body?.token;
      if (token === undefined || token === null || token === '') throw new NotAuthenticatedError(MISSING_TOKEN);
      if (typeof token !== 'string') throw new ForbiddenError('The token is not valid');
      try {
        found = await deps.authenticator.authenticate({ apiKey: token });
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw new UnavailableError('Credentials cannot be checked right now: the database is unreachable');
      }
      if (!found) throw new ForbiddenError('The token is not valid');
      // A device key's binding replaces the scope check, for its device's operations only (as the security step does).
      if (found.device ? !deviceOperation : !grants(found.scopes, scope)) {
        throw new ForbiddenError(found.device ? 'A device key may only add points to its series' : `The token needs the ${scope} scope`);
      }
    }
    return { principal: found, caller: callerOf(found) };
  }

  function reader(principal: Principal | undefined): SeriesCaller {
    if (principal) return callerOf(principal);
    if (!deps.publicReads) {
      throw new NotAuthenticatedError('Reading needs credentials in the x-api-key header (public reads are not enabled)');
    }
    return ANONYMOUS;
  }

  const nameOf = async (ownerId: string | null, names: Map<string, string | null>) => {
    if (ownerId === null) return null;
    if (!names.has(ownerId)) names.set(ownerId, (await deps.userName(ownerId)) ?? null);
    return names.get(ownerId)!;
  };

  return {
    listTimeseriesSeries: async ({ principal }) => {
      const rows = await series.listAll(reader(principal));
      const names = new Map<string, string | null>();
      const body: Record<string, ReturnType<typeof wireSeries>> = {};
      for (const row of rows) body[String(row.id)] = wireSeries(row, await nameOf(row.ownerId, names));
      return json(200, body);
    },
    createTimeseriesSeries: async ({ body, principal }) => {
      const { caller } = await writer(principal, body, 'control');
      const deviceId = required(body.device_id, 'device_id');
      const created = await series.create(caller, {
        description: body.desc ?? '',
        deviceId,
        deviceDescription: required(body.device_desc, 'device_desc'),
      });
      return json(201, created.id);
    },
    getTimeseriesSeriesPoints: async ({ params, query, principal }) => {
      const points = await series.pointsInclusive(reader(principal), params.tsSeriesId, query);
      return json(200, points.map(wirePoint));
    },
    deleteTimeseriesSeries: async ({ params, body, principal, client }) => {
      const by = await writer(principal, body, 'control');
      if (await series.removeIfAny(by.caller, params.tsSeriesId))
        await revokeSeriesKeys(deps.keys, by.principal, params.tsSeriesId, client);
      return noContent();
    },
    createTimeseriesPoint: async ({ body, principal }) => {
      const { caller } = await writer(principal, body, 'control', true);
      const seriesId = required(body.series_id, 'series_id');
      const { lastId } = await series.write(caller, seriesId, [{ fields: required(body.fields, 'fields') }]);
      return json(201, lastId!);
    },
    getTimeseriesPoint: async ({ params, principal }) => json(200, wirePoint(await series.point(reader(principal), params.tsPointId))),
    deleteTimeseriesPoint: async ({ params, body, principal }) => {
      await series.removePointIfAny((await writer(principal, body, 'control')).caller, params.tsPointId);
      return noContent();
    },
    countTimeseriesPoints: async ({ principal }) => json(200, await series.count(reader(principal))),
  };
}
