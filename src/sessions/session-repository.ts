/** SQL for charging sessions. Every value is a parameter; sort columns come from an allow-list. */
import type { Database, SqlParam } from '../db/database.ts';
import type { CounterState } from '../history/meter-counter.ts';
import {
  meanPowerOf,
  SESSION_CHARGE_MODES,
  type Corrector,
  type Session,
  type SessionChargeMode,
  type SessionCorrection,
  type SessionQuality,
} from './model.ts';
import { Conditions } from '../db/where.ts';
import { inserted, perDialect } from '../db/sql-dialect.ts';

type Executor = Pick<Database, 'dialect' | 'query' | 'execute'>;

const COLUMNS = [
  'id',
  'chargepoint_id',
  'start_ms',
  'end_ms',
  'energy_wh',
  'charging_time_s',
  'mean_power_w',
  'peak_power_w',
  'soc_start',
  'soc_end',
  'charge_modes',
  'rfid_tag',
  'vehicle_id',
  'vehicle_name',
  'user_id',
  'cost',
  'meter_start_wh',
  'meter_end_wh',
  'source',
  'external_key',
  'state',
  'updated_at',
  'quality',
] as const;

/** Written only by a correction, never by the recorder's or the import's writes. */
const CORRECTION_COLUMNS = [
  'correction_vehicle_id',
  'correction_vehicle_name',
  'correction_note',
  'corrected_at',
  'corrected_by_type',
  'corrected_by_id',
  'corrected_by_name',
] as const;

/** Every column of charging_sessions, in the order the repository reads them (benches seed by it). */
export const STORED_COLUMNS = [...COLUMNS, ...CORRECTION_COLUMNS] as const;
export type StoredColumn = (typeof STORED_COLUMNS)[number];

/** A read-only selection leaves out the detector's state (undefined) and the time of the last write. */
type Row = Record<Exclude<(typeof COLUMNS)[number], 'state'> | (typeof CORRECTION_COLUMNS)[number], string | number | null> & {
  state?: string | null;
};

const QUALITIES: readonly SessionQuality[] = ['measured', 'corrected', 'incomplete'];

interface DetectorState {
  chargingMs: number;
  lastSeenAt: number;
  lastCharging: boolean;
  meter?: CounterState | null;
}

function toParams(s: Session, now: number): SqlParam[] {
  const state: DetectorState = { chargingMs: s.chargingMs, lastSeenAt: s.lastSeenAt, lastCharging: s.lastCharging, meter: s.meter ?? null };
  return [
    s.id,
    s.chargepointId,
    s.start,
    s.end,
    s.energy,
    Math.round(s.chargingMs / 1000),
    meanPowerOf(s),
    s.peakPower,
    s.socStart,
    s.socEnd,
    s.chargeModes.join(','),
    s.rfidTag,
    s.vehicle?.id ?? null,
    s.vehicle?.name ?? null,
    s.userId,
    s.cost,
    s.meterStart,
    s.meterLast,
    s.source,
    s.externalKey,
    JSON.stringify(state),
    now,
    s.quality,
  ];
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
const str = (v: string | number | null): string | null => (v === null ? null : String(v));

function correctionOf(r: Omit<Row, 'updated_at'>): SessionCorrection | null {
  if (r.corrected_at === null) return null;
  const vehicleId = str(r.correction_vehicle_id);
  const by: Corrector = {
    type: r.corrected_by_type === 'apiKey' ? 'apiKey' : 'user',
    id: String(r.corrected_by_id ?? ''),
    name: str(r.corrected_by_name),
  };
  return {
    vehicle: vehicleId === null ? null : { id: vehicleId, name: str(r.correction_vehicle_name) },
    note: str(r.correction_note),
    at: Number(r.corrected_at),
    by,
  };
}

export function fromRow(r: Omit<Row, 'updated_at'>): Session {
  let state: Partial<DetectorState> = {};
  try {
    state = r.state === null || r.state === undefined ? {} : (JSON.parse(String(r.state)) as DetectorState);
  } catch {
    // A damaged state only loses the detector's sub-second details; the columns stay authoritative.
  }
  const vehicleId = str(r.vehicle_id);
  const vehicleName = str(r.vehicle_name);
  const modes = String(r.charge_modes ?? '')
    .split(',')
    .filter((m): m is SessionChargeMode => (SESSION_CHARGE_MODES as readonly string[]).includes(m));
  return {
    id: String(r.id),
    chargepointId: String(r.chargepoint_id),
    start: Number(r.start_ms),
    end: num(r.end_ms),
    energy: Number(r.energy_wh),
    chargingMs: typeof state.chargingMs === 'number' ? state.chargingMs : Number(r.charging_time_s) * 1000,
    // Without the detector state (a read-only selection), the stored mean is what meanPowerOf gave when it was written.
    meanPower: r.source === 'chargelog' || r.state === undefined ? num(r.mean_power_w) : null,
    peakPower: num(r.peak_power_w),
    socStart: num(r.soc_start),
    socEnd: num(r.soc_end),
    chargeModes: modes,
    rfidTag: str(r.rfid_tag),
    vehicle: vehicleId === null && vehicleName === null ? null : { id: vehicleId, name: vehicleName },
    userId: str(r.user_id),
    cost: num(r.cost),
    meterStart: num(r.meter_start_wh),
    meterLast: num(r.meter_end_wh),
    meter: typeof state.meter?.base === 'number' ? state.meter : null,
    source: r.source === 'chargelog' ? 'chargelog' : 'recorder',
    externalKey: str(r.external_key),
    lastSeenAt: typeof state.lastSeenAt === 'number' ? state.lastSeenAt : Number(r.end_ms ?? r.start_ms),
    lastCharging: state.lastCharging === true,
    quality: QUALITIES.find((q) => q === r.quality) ?? null,
    correction: correctionOf(r),
  };
}

const VALUES = `(${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;
const UPDATABLE = COLUMNS.filter((c) => c !== 'id');
// The recorder rewrites whole sessions it holds in memory; a user attributed meanwhile (RFID profiles) stays.
const KEEP_EXISTING: readonly string[] = ['user_id'];
const upsertSession = perDialect(
  (sql) =>
    `INSERT INTO charging_sessions ${VALUES} ${sql.onConflictUpdate(
      ['id'],
      Object.fromEntries(UPDATABLE.map((c) => [c, KEEP_EXISTING.includes(c) ? (value: string) => `COALESCE(${value}, ${c})` : inserted])),
    )}`,
);
const insertSessionIfNew = perDialect((sql) => `${sql.insertIgnore} INTO charging_sessions ${VALUES}`);
const SELECT = `SELECT ${STORED_COLUMNS.join(', ')} FROM charging_sessions`;
export const READ_ONLY_COLUMNS = [...COLUMNS.filter((c) => c !== 'state' && c !== 'updated_at'), ...CORRECTION_COLUMNS];
const SELECT_READ_ONLY = `SELECT ${READ_ONLY_COLUMNS.join(', ')} FROM charging_sessions`;

type ReadOnlyRow = Omit<Row, 'state' | 'updated_at'>;

/**
 * A read-only selection's row from the array of its values in READ_ONLY_COLUMNS' order. Written out (not a
 * loop over the names), because an object literal of a fixed shape is several times cheaper per row; the
 * unit test holds the order to READ_ONLY_COLUMNS.
 */
export function readOnlyRow(values: readonly (string | number | null)[]): ReadOnlyRow {
  return {
    id: values[0] ?? null,
    chargepoint_id: values[1] ?? null,
    start_ms: values[2] ?? null,
    end_ms: values[3] ?? null,
    energy_wh: values[4] ?? null,
    charging_time_s: values[5] ?? null,
    mean_power_w: values[6] ?? null,
    peak_power_w: values[7] ?? null,
    soc_start: values[8] ?? null,
    soc_end: values[9] ?? null,
    charge_modes: values[10] ?? null,
    rfid_tag: values[11] ?? null,
    vehicle_id: values[12] ?? null,
    vehicle_name: values[13] ?? null,
    user_id: values[14] ?? null,
    cost: values[15] ?? null,
    meter_start_wh: values[16] ?? null,
    meter_end_wh: values[17] ?? null,
    source: values[18] ?? null,
    external_key: values[19] ?? null,
    quality: values[20] ?? null,
    correction_vehicle_id: values[21] ?? null,
    correction_vehicle_name: values[22] ?? null,
    correction_note: values[23] ?? null,
    corrected_at: values[24] ?? null,
    corrected_by_type: values[25] ?? null,
    corrected_by_id: values[26] ?? null,
    corrected_by_name: values[27] ?? null,
  };
}

/** A read-only selection's row as the driver returns it: values in READ_ONLY_COLUMNS' order. */
export type ReadOnlyValues = readonly (string | number | null)[];

const QUALITY_OF = new Map<unknown, SessionQuality>(QUALITIES.map((q) => [q, q]));

/** Read-only sessions share the parsed charge modes of each stored text (a handful of distinct ones). */
const chargeModeLists = new Map<string, SessionChargeMode[]>();
function chargeModesOf(text: string): SessionChargeMode[] {
  let modes = chargeModeLists.get(text);
  if (modes === undefined) {
    modes = text.split(',').filter((m): m is SessionChargeMode => (SESSION_CHARGE_MODES as readonly string[]).includes(m));
    // Bounded: an unexpected variety of texts is parsed each time instead of remembered.
    if (chargeModeLists.size < 256) chargeModeLists.set(text, modes);
  }
  return modes;
}

/**
 * A scratch session refilled from each row of a read-only selection in turn, for a reader that is done with
 * one row before it reads the next (the CSV export): no objects per row, so 100,000 rows leave little for
 * the garbage collector. Equal to fromRow(readOnlyRow(values)) field by field (the unit test holds them
 * together); its chargeModes are shared, its vehicle and correction objects reused: never keep them.
 */
export class ReusedSession {
  readonly session: Session = fromRow(readOnlyRow(new Array<null>(READ_ONLY_COLUMNS.length).fill(null)));
  private readonly vehicle = { id: null as string | null, name: null as string | null };
  private readonly correctedVehicle = { id: '', name: null as string | null };
  private readonly correction: SessionCorrection = {
    vehicle: null,
    note: null,
    at: 0,
    by: { type: 'user', id: '', name: null },
  };

  fill(values: ReadOnlyValues): Session {
    const s = this.session;
    s.id = String(values[0] ?? null);
    s.chargepointId = String(values[1] ?? null);
    s.start = Number(values[2] ?? null);
    s.end = num(values[3] ?? null);
    s.energy = Number(values[4] ?? null);
    s.chargingMs = Number(values[5] ?? null) * 1000;
    s.meanPower = num(values[6] ?? null);
    s.peakPower = num(values[7] ?? null);
    s.socStart = num(values[8] ?? null);
    s.socEnd = num(values[9] ?? null);
    s.chargeModes = chargeModesOf(String(values[10] ?? ''));
    s.rfidTag = str(values[11] ?? null);
    const vehicleId = str(values[12] ?? null);
    const vehicleName = str(values[13] ?? null);
    if (vehicleId === null && vehicleName === null) s.vehicle = null;
    else {
      this.vehicle.id = vehicleId;
      this.vehicle.name = vehicleName;
      s.vehicle = this.vehicle;
    }
    s.userId = str(values[14] ?? null);
    s.cost = num(values[15] ?? null);
    s.meterStart = num(values[16] ?? null);
    s.meterLast = num(values[17] ?? null);
    s.source = (values[18] ?? null) === 'chargelog' ? 'chargelog' : 'recorder';
    s.externalKey = str(values[19] ?? null);
    s.lastSeenAt = Number(values[3] ?? values[2] ?? null);
    s.quality = QUALITY_OF.get(values[20] ?? null) ?? null;
    if ((values[24] ?? null) === null) s.correction = null;
    else {
      const c = this.correction;
      const correctedId = str(values[21] ?? null);
      if (correctedId === null) c.vehicle = null;
      else {
        this.correctedVehicle.id = correctedId;
        this.correctedVehicle.name = str(values[22] ?? null);
        c.vehicle = this.correctedVehicle;
      }
      c.note = str(values[23] ?? null);
      c.at = Number(values[24] ?? null);
      c.by.type = (values[25] ?? null) === 'apiKey' ? 'apiKey' : 'user';
      c.by.id = String(values[26] ?? '');
      c.by.name = str(values[27] ?? null);
      s.correction = c;
    }
    return s;
  }
}

export const SORT_COLUMNS = { start: 'start_ms', energy: 'energy_wh' } as const;
export type SortKey = keyof typeof SORT_COLUMNS;

export interface SessionFilter {
  from?: number;
  to?: number;
  chargepointId?: string;
  /** The chargepoints the caller may see; undefined = all. */
  allowedChargepoints?: readonly string[];
  vehicleId?: string;
  tag?: string;
  /** Only sessions attributed to this user (non-admins see their own). */
  userId?: string;
}

export interface PageRequest {
  sort: SortKey;
  descending: boolean;
  limit: number;
  after?: { value: number; id: string };
}

function where(filter: SessionFilter): Conditions {
  const conditions = new Conditions()
    .add('start_ms >= ?', filter.from)
    .add('start_ms < ?', filter.to)
    .add('chargepoint_id = ?', filter.chargepointId);
  if (filter.allowedChargepoints) {
    const ids = filter.allowedChargepoints;
    conditions.addRaw(ids.length ? `chargepoint_id IN (${ids.map(() => '?').join(', ')})` : '1 = 0', ids);
  }
  if (filter.vehicleId !== undefined) {
    // The vehicle a session counts for: the corrected one, else the recorded one.
    conditions.addRaw('(correction_vehicle_id = ? OR (correction_vehicle_id IS NULL AND vehicle_id = ?))', [
      filter.vehicleId,
      filter.vehicleId,
    ]);
  }
  return conditions.add('rfid_tag = ?', filter.tag).add('user_id = ?', filter.userId);
}

function pageQuery(filter: SessionFilter, page: PageRequest, select: string): { sql: string; params: SqlParam[] } {
  const conditions = where(filter);
  const column = SORT_COLUMNS[page.sort];
  const direction = page.descending ? 'DESC' : 'ASC';
  if (page.after) {
    const op = page.descending ? '<' : '>';
    // The leading range makes the index seek to the page (an OR alone scans the index from its start).
    conditions.addRaw(`${column} ${op}= ? AND (${column} ${op} ? OR id ${op} ?)`, [page.after.value, page.after.value, page.after.id]);
  }
  return {
    sql: `${select}${conditions.toSql()} ORDER BY ${column} ${direction}, id ${direction} LIMIT ?`,
    params: [...conditions.params, page.limit],
  };
}

export class SessionRepository {
  constructor(private readonly db: Database) {}

  /** Writes the whole session (insert or replace by id): idempotent, so a retried write is harmless. */
  async upsert(session: Session, now = Date.now()): Promise<void> {
    await this.db.execute(upsertSession(this.db), toParams(session, now));
  }

  /** Inserts an imported session unless its external key exists; false when it was skipped. */
  async insertIfNew(session: Session, executor: Executor = this.db, now = Date.now()): Promise<boolean> {
    return (await executor.execute(insertSessionIfNew(executor), toParams(session, now))).changes > 0;
  }

  async get(id: string): Promise<Session | undefined> {
    const [row] = await this.db.query<Row>(`${SELECT} WHERE id = ?`, [id]);
    return row ? fromRow(row) : undefined;
  }

  async listOpen(): Promise<Session[]> {
    return (await this.db.query<Row>(`${SELECT} WHERE end_ms IS NULL ORDER BY start_ms`)).map(fromRow);
  }

  /** Sessions of a chargepoint that overlap [start, end] in time. */
  async overlapping(executor: Executor, chargepointId: string, start: number, end: number): Promise<Session[]> {
    const rows = await executor.query<Row>(`${SELECT} WHERE chargepoint_id = ? AND start_ms <= ? AND (end_ms IS NULL OR end_ms >= ?)`, [
      chargepointId,
      end,
      start,
    ]);
    return rows.map(fromRow);
  }

  /** Sessions of a chargepoint whose meter readings overlap [meterStart, meterEnd] (Wh). */
  async overlappingMeter(executor: Executor, chargepointId: string, meterStart: number, meterEnd: number): Promise<Session[]> {
    const rows = await executor.query<Row>(
      `${SELECT} WHERE chargepoint_id = ? AND meter_start_wh IS NOT NULL AND meter_end_wh IS NOT NULL
         AND meter_start_wh < ? AND meter_end_wh > ?`,
      [chargepointId, meterEnd, meterStart],
    );
    return rows.map(fromRow);
  }

  /**
   * Like list, for reading only (exports): without the detector's state, which only the recorder needs, and
   * fetched as arrays of values, so each row is smaller to fetch and much cheaper to decode (an object per
   * row from the driver cost more than the rest of a CSV export). The sessions show the same figures.
   */
  async listForExport(filter: SessionFilter, page: PageRequest): Promise<Session[]> {
    return (await this.listValuesForExport(filter, page)).map((values) => fromRow(readOnlyRow(values)));
  }

  /** Like listForExport, the rows as the driver returns them (READ_ONLY_COLUMNS' order): see ReusedSession. */
  async listValuesForExport(filter: SessionFilter, page: PageRequest): Promise<ReadOnlyValues[]> {
    const { sql, params } = pageQuery(filter, page, SELECT_READ_ONLY);
    return this.db.queryArrays<(string | number | null)[]>(sql, params);
  }

  async list(filter: SessionFilter, page: PageRequest): Promise<Session[]> {
    const { sql, params } = pageQuery(filter, page, SELECT);
    return (await this.db.query<Row>(sql, params)).map(fromRow);
  }

  /** Ended sessions of a chargepoint that started in [from, to), oldest first: `limit` of them after `offset`, and how many there are. */
  async endedStartingBetween(
    chargepointId: string,
    range: { from: number; to: number },
    page: { offset: number; limit: number },
  ): Promise<{ sessions: Session[]; total: number }> {
    const condition = 'WHERE chargepoint_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms IS NOT NULL';
    const params = [chargepointId, range.from, range.to];
    const [counted] = await this.db.query<{ total: number | string }>(
      `SELECT COUNT(*) AS total FROM charging_sessions ${condition}`,
      params,
    );
    const total = Number(counted?.total ?? 0);
    if (page.offset >= total) return { sessions: [], total };
    const rows = await this.db.query<Row>(`${SELECT} ${condition} ORDER BY start_ms, id LIMIT ? OFFSET ?`, [
      ...params,
      page.limit,
      page.offset,
    ]);
    return { sessions: rows.map(fromRow), total };
  }

  /** The session a tag scanned at `at` belongs to: open then, or the first one starting within `windowMs` after. */
  async findForAttribution(
    chargepointId: string,
    at: number,
    windowMs: number,
  ): Promise<{ id: string; userId: string | null } | undefined> {
    const [row] = await this.db.query<{ id: string; user_id: string | null }>(
      `SELECT id, user_id FROM charging_sessions WHERE chargepoint_id = ? AND start_ms <= ? AND (end_ms IS NULL OR end_ms >= ?) ORDER BY start_ms, id LIMIT 1`,
      [chargepointId, at + windowMs, at],
    );
    return row ? { id: String(row.id), userId: str(row.user_id) } : undefined;
  }

  /** Attributes a session to a user unless it already belongs to someone; true when it now belongs to `userId`. */
  async attributeUser(sessionId: string, userId: string): Promise<boolean> {
    await this.db.execute('UPDATE charging_sessions SET user_id = ? WHERE id = ? AND user_id IS NULL', [userId, sessionId]);
    const [row] = await this.db.query<{ user_id: string | null }>('SELECT user_id FROM charging_sessions WHERE id = ?', [sessionId]);
    return row?.user_id === userId;
  }

  /** Stores a correction (null withdraws it); the recorded values stay. False when there is no such session. */
  async correct(id: string, correction: SessionCorrection | null): Promise<boolean> {
    const values: SqlParam[] = correction
      ? [
          correction.vehicle?.id ?? null,
          correction.vehicle?.name ?? null,
          correction.note,
          correction.at,
          correction.by.type,
          correction.by.id,
          correction.by.name,
        ]
      : CORRECTION_COLUMNS.map(() => null);
    const assignments = CORRECTION_COLUMNS.map((c) => `${c} = ?`).join(', ');
    const result = await this.db.execute(`UPDATE charging_sessions SET ${assignments} WHERE id = ?`, [...values, id]);
    return result.changes > 0;
  }

  /** Usernames by id, for the sessions' `user`. */
  async userNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; name: string }>(
      `SELECT id, name FROM users WHERE id IN (${ids.map(() => '?').join(', ')})`,
      [...ids],
    );
    return new Map(rows.map((r) => [String(r.id), String(r.name)]));
  }

  async forSummary(filter: SessionFilter): Promise<{ start: number; energy: number; cost: number | null; chargingTime: number }[]> {
    const conditions = where(filter);
    const rows = await this.db.query<{ start_ms: number; energy_wh: number; cost: number | null; charging_time_s: number }>(
      `SELECT start_ms, energy_wh, cost, charging_time_s FROM charging_sessions${conditions.toSql()} ORDER BY start_ms`,
      conditions.params,
    );
    return rows.map((r) => ({
      start: Number(r.start_ms),
      energy: Number(r.energy_wh),
      cost: num(r.cost),
      chargingTime: Number(r.charging_time_s),
    }));
  }
}
