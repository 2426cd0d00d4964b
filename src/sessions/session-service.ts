/** The read side of sessions: list with filters and cursor paging, one by id, and summaries per bucket. */
import { InvalidInputError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { Schemas } from '../api/types.ts';
import { bucketEdges } from '../history/buckets.ts';
import { isoLocal, parseDuration, parseInstant, parseZone, resolveRange } from '../history/range.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { toDto } from './model.ts';
import { SORT_COLUMNS, type SessionFilter, type SessionRepository, type SortKey } from './session-repository.ts';

export interface ListQuery {
  from?: string;
  to?: string;
  tz?: string;
  chargepoint?: string;
  vehicle?: string;
  tag?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

export interface SessionSelection {
  filter: SessionFilter;
  sort: SortKey;
  /** As the caller wrote it, e.g. `-start`. */
  sortParam: string;
  descending: boolean;
  /** IANA zone of the query's local times (its `tz`, or the gateway's). */
  zone: string;
  currency: string;
}

/** The chargepoints a caller may see: null = all (admins, unrestricted keys). */
export type Visible = ReadonlySet<string> | null;

export function visibility(visible: Visible, chargepoint: string | undefined): readonly string[] | undefined {
  if (chargepoint !== undefined && visible && !visible.has(chargepoint))
    throw new ForbiddenError(`You may not use chargepoint ${chargepoint}`);
  return visible ? [...visible] : undefined;
}

export interface SummaryQuery {
  interval?: 'day' | 'week' | 'month' | 'year';
  from?: string;
  to?: string;
  tz?: string;
  chargepoint?: string;
}

const MAX_SUMMARY_BUCKETS = 1000;
const DEFAULT_SUMMARY_RANGE = { day: '31d', week: '12w', month: '12month', year: '5y' } as const;
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export class SessionService {
  constructor(
    private readonly repository: SessionRepository,
    private readonly options: { timeZone: string; currency: string; now?: () => number },
  ) {}

  /** `owner`: for non-admins, only sessions attributed to this user (through an RFID profile). */
  async get(id: string, visible: Visible = null, owner?: string): Promise<Schemas['Session']> {
    const session = await this.repository.get(id);
    // Another chargepoint's or user's session is answered like a missing one: its existence is not the caller's business.
    if (!session || (visible && !visible.has(session.chargepointId)) || (owner !== undefined && session.userId !== owner)) {
      throw new NotFoundError(`There is no charging session ${id}`);
    }
    return toDto(session, await this.repository.userNames(session.userId === null ? [] : [session.userId]));
  }

  /**
   * The filter, order and zone of a query, checked: what the list, its exports and the report share, so
   * that each sees exactly the sessions `listSessions` shows the same caller.
   */
  selection(
    query: Omit<ListQuery, 'limit' | 'cursor'>,
    visible: Visible,
    owner: string | undefined,
    defaultSort: string,
  ): SessionSelection {
    const allowedChargepoints = visibility(visible, query.chargepoint);
    const zone = parseZone(query.tz, this.options.timeZone);
    const from = query.from === undefined ? undefined : parseInstant(query.from, zone, 'from').toMillis();
    const to = query.to === undefined ? undefined : parseInstant(query.to, zone, 'to').toMillis();
    if (from !== undefined && to !== undefined && to <= from) throw new InvalidInputError('to: must be after from');
    const sortParam = query.sort ?? defaultSort;
    const descending = sortParam.startsWith('-');
    const sort = sortParam.replace(/^-/, '') as SortKey;
    if (!(sort in SORT_COLUMNS)) throw new InvalidInputError(`sort: ${sortParam} is not one of start, -start, energy, -energy`);
    const filter: SessionFilter = {
      from,
      to,
      chargepointId: query.chargepoint,
      allowedChargepoints,
      vehicleId: query.vehicle,
      tag: query.tag,
      userId: owner,
    };
    return { filter, sort, sortParam, descending, zone, currency: this.options.currency };
  }

  async list(query: ListQuery, visible: Visible = null, owner?: string): Promise<Schemas['SessionList']> {
    const { filter, sort, sortParam, descending } = this.selection(query, visible, owner, '-start');
    const limit = query.limit ?? 50;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sortParam);
    const rows = await this.repository.list(filter, { sort, descending, limit: limit + 1, after });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last
        ? encodeCursor({ sort: sortParam, value: sort === 'start' ? last.start : last.energy, id: last.id })
        : null;
    const names = await this.repository.userNames([...new Set(page.flatMap((s) => (s.userId === null ? [] : [s.userId])))]);
    return { items: page.map((s) => toDto(s, names)), nextCursor };
  }

  async summary(query: SummaryQuery, visible: Visible = null, owner?: string): Promise<Schemas['SessionSummary']> {
    const allowedChargepoints = visibility(visible, query.chargepoint);
    const interval = query.interval ?? 'month';
    const zone = parseZone(query.tz, this.options.timeZone);
    const { start, end } = resolveRange(
      {
        start: query.from,
        end: query.to,
        names: { start: 'from', end: 'to' },
        defaultDuration: parseDuration(DEFAULT_SUMMARY_RANGE[interval]),
      },
      zone,
      interval,
      (this.options.now ?? Date.now)(),
    );
    const edges = bucketEdges(
      start,
      end,
      interval,
      MAX_SUMMARY_BUCKETS,
      () =>
        `maxPoints: the range holds more than ${MAX_SUMMARY_BUCKETS} ${interval} buckets, the limit per request; choose a coarser interval or a shorter range`,
    );
    const edgeMs = edges.map((e) => e.toMillis());
    const sessions = await this.repository.forSummary({
      from: start.toMillis(),
      to: end.toMillis(),
      chargepointId: query.chargepoint,
      allowedChargepoints,
      userId: owner,
    });
    const items = edges
      .slice(0, -1)
      .map((edge) => ({ start: isoLocal(edge), count: 0, energy: 0, cost: 0 as number | null, chargingTime: 0 }));
    const totals = { count: 0, energy: 0, cost: 0 as number | null, chargingTime: 0 };
    let b = 0;
    for (const s of sessions) {
      while (b < items.length - 1 && s.start >= (edgeMs[b + 1] as number)) b++;
      for (const target of [items[b], totals]) {
        if (!target) continue;
        target.count++;
        target.energy += s.energy;
        target.chargingTime += s.chargingTime;
        target.cost = target.cost === null || s.cost === null ? null : target.cost + s.cost;
      }
    }
    const finish = <T extends { energy: number; cost: number | null }>(t: T): T => ({
      ...t,
      energy: round(t.energy, 3),
      cost: t.cost === null ? null : round(t.cost, 4),
    });
    return {
      interval,
      timeZone: zone,
      start: isoLocal(start),
      end: isoLocal(end),
      currency: this.options.currency,
      items: items.map(finish),
      totals: finish(totals),
    };
  }
}
