/**
 * The live stream's core, knowing neither HTTP nor WebSocket: keeps the REST body of every live object
 * (built by the same read models), turns each applied batch of field updates into `changed` messages
 * carrying only what changed, pushes `stale` when an object's values turn stale (a timer, no polling),
 * and hands each message, serialised once, to every connection that may see it and asked for it; events
 * (sessions, commands, RFID scans, the broker connection) go the same way.
 */
import type { Logger } from 'pino';
import type { ChargePointDto, SiteDto, SystemDto, VehicleDto } from '../api/types.ts';
import type { Principal } from '../auth/principal.ts';
import { SITE_IDS } from '../live/fields.ts';
import { freshnessContext, staleAt, type FreshnessContext } from '../live/freshness.ts';
import type { LiveModel } from '../live/live-model.ts';
import type { FieldUpdate } from '../live/model.ts';
import { compareIds } from '../live/store.ts';
import { buildChargePoint, buildSite, buildVehicle } from '../live/read-models.ts';
import type { EntityView, SystemView } from '../live/views.ts';
import { grants } from '../auth/api-key.ts';
import {
  STREAM_CLOSE_CODES,
  StreamConnection,
  type Reauthenticate,
  type StreamCloseCode,
  type StreamCounters,
  type StreamSink,
} from './connection.ts';
import type { GatewayEvent } from '../events/gateway-events.ts';
import { receives } from './event-visibility.ts';
import { eventKey, eventMessage, outgoing, type ObjectMessage, type Outgoing, type QueuedMessage, type StreamKind } from './messages.ts';
import { EVERYTHING, type StreamNarrowing } from './narrowing.ts';

type Body = Readonly<Record<string, unknown>>;

interface StreamObject {
  kind: StreamKind;
  id: string;
  body: Body;
  updatedAt: string | null;
  stale: boolean;
  /** When its values turn stale (ms; Infinity: never, or stale already). */
  staleAt: number;
}

export interface StreamHubOptions {
  live: LiveModel;
  /** Ingest's applied-update seam; returns the unsubscribe function. */
  updates: (listener: (updates: readonly FieldUpdate[]) => void) => () => void;
  /** The events to pass on (sessions, commands, RFID scans, the broker connection); returns the unsubscribe function. */
  events?: (listener: (event: GatewayEvent) => void) => () => void;
  /**
   * Told when events may have been missed (this instance's event subscriber was away and is back): every
   * connection then gets a fresh snapshot. Returns the unsubscribe function.
   */
  resubscribed?: (listener: () => void) => () => void;
  /** The body of GET /api/v1/system. */
  system: () => Promise<SystemDto>;
  staleAfterMs: number;
  /** How often each connection's credentials are checked again (a revoked key ends its streams within this). */
  reauthenticateMs: number;
  /** A client whose changes have waited this long for its transport is closed (4008), checked as often as the credentials. */
  stallLimitMs: number;
  counters?: StreamCounters;
  logger: Pick<Logger, 'warn'>;
  now?: () => number;
}

const SITE_PARTS = ['grid', 'pv', 'battery', 'home'] as const;
/** Connections whose credentials are checked again in one event-loop turn. */
const REAUTHENTICATE_SLICE = 200;
/** Properties the envelope carries for the whole object, not as changed fields. */
const ENVELOPE = new Set(['id', 'updatedAt', 'stale']);
const keyOf = (kind: StreamKind, id: string) => `${kind}:${id}`;
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export class StreamHub {
  private readonly objects = new Map<string, StreamObject>();
  /** The REST bodies as they were last sent, for the snapshot. */
  private readonly chargepoints = new Map<string, ChargePointDto>();
  private readonly vehicles = new Map<string, VehicleDto>();
  private site: SiteDto | undefined;
  private readonly connections = new Set<StreamConnection>();
  private readonly now: () => number;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeEvents: (() => void) | undefined;
  private unsubscribeResubscribed: (() => void) | undefined;
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private reauthenticateTimer: ReturnType<typeof setInterval> | undefined;
  /** A round of credential checks is running (a slow credential store must not stack rounds). */
  private reauthenticating = false;
  /** A refresh failed (live store unreachable): the next one rebuilds everything. */
  private incomplete = false;
  /** Refreshes run one after another so messages leave in the order the changes were applied. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: StreamHubOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Loads every object, then follows the applied updates. Never fails: while the live store is away, it loads on the next change or client. */
  async start(): Promise<void> {
    this.unsubscribe = this.options.updates((updates) => void this.refreshSafely(affected(updates)));
    this.unsubscribeEvents = this.options.events?.((event) => this.publishEvent(event));
    this.unsubscribeResubscribed = this.options.resubscribed?.(() => void this.resnapshotAll());
    await this.refreshSafely('all');
    this.reauthenticateTimer = setInterval(() => {
      this.closeStalled();
      void this.reauthenticateAll();
    }, this.options.reauthenticateMs);
    this.reauthenticateTimer.unref?.();
  }

  /** Stops following changes and ends every connection. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribeEvents?.();
    this.unsubscribeResubscribed?.();
    clearTimeout(this.staleTimer);
    clearInterval(this.reauthenticateTimer);
    for (const connection of this.connections) connection.close(STREAM_CLOSE_CODES.shutdown, 'The gateway is shutting down');
    this.connections.clear();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** A new client: its snapshot first (what the principal may see and the client asked for), then every change and event of it. */
  async connect(
    principal: Principal,
    sink: StreamSink,
    reauthenticate: Reauthenticate,
    narrowing: StreamNarrowing = EVERYTHING,
  ): Promise<StreamConnection> {
    const connection = new StreamConnection(principal, sink, reauthenticate, this.options.counters, narrowing);
    // Queued behind pending refreshes, so no change falls between the snapshot and the first delta.
    await this.enqueue(async () => {
      await this.sendSnapshot(connection, narrowing);
      this.connections.add(connection);
    });
    return connection;
  }

  /** A client asked for other chargepoints or topics: a fresh snapshot under the new narrowing, then its changes and events. */
  narrow(connection: StreamConnection, narrowing: StreamNarrowing): Promise<void> {
    return this.enqueue(() => this.sendSnapshot(connection, narrowing));
  }

  /**
   * Events were missed (they are not replayed): every connection gets a fresh snapshot under its narrowing,
   * so a client knows to read what it keeps of sessions, commands or RFID scans again.
   */
  resnapshotAll(): Promise<void> {
    return this.enqueue(async () => {
      for (const connection of this.connections) {
        try {
          await this.sendSnapshot(connection, connection.narrowing);
        } catch (error) {
          this.options.logger.warn({ err: (error as Error).message }, 'live stream could not send a fresh snapshot');
          return;
        }
      }
    });
  }

  private async sendSnapshot(connection: StreamConnection, narrowing: StreamNarrowing): Promise<void> {
    if (this.incomplete || !this.site) await this.refresh('all');
    this.incomplete = false;
    const system = await this.options.system();
    const site = this.site;
    if (!site) throw new Error('The site was not loaded');
    connection.narrowing = narrowing;
    if (narrowing.values) {
      const chargepoints = byId(this.chargepoints).filter((cp) => wants(connection, 'chargepoint', cp.id));
      connection.sendNow(outgoing({ type: 'snapshot', chargepoints, site, vehicles: byId(this.vehicles), system }));
    } else connection.sendNow(outgoing({ type: 'snapshot', system }));
  }

  disconnect(connection: StreamConnection): void {
    this.connections.delete(connection);
  }

  /** A client that stays behind keeps nothing from the others, but is not kept forever either. */
  private closeStalled(): void {
    const now = this.now();
    for (const connection of this.connections) {
      if (connection.behindFor(now) > this.options.stallLimitMs)
        this.end(connection, STREAM_CLOSE_CODES.tooSlow, 'The client did not keep up with the stream');
    }
  }

  /**
   * Checks every connection's credentials again: revoked, expired or deleted ends the stream (4401), lost
   * the read scope too (4403); otherwise the connection sees what its principal may see now. A check that
   * fails (database away) keeps the connection, as cached credentials keep serving requests.
   */
  private async reauthenticateAll(): Promise<void> {
    // Checked a slice per event-loop turn: a change arriving meanwhile waits for one slice, not for every
    // connection (~2 µs each: 1,000 connections held the fan-out ~2 ms every STREAM_REAUTH_S). The checks of
    // all slices still wait for the credential store together.
    if (this.reauthenticating) return;
    this.reauthenticating = true;
    try {
      const checks: Promise<void>[] = [];
      let index = 0;
      for (const connection of [...this.connections]) {
        if (index > 0 && index % REAUTHENTICATE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
        index++;
        if (this.connections.has(connection)) checks.push(this.reauthenticateOne(connection));
      }
      await Promise.all(checks);
    } finally {
      this.reauthenticating = false;
    }
  }

  private async reauthenticateOne(connection: StreamConnection): Promise<void> {
    let principal: Principal | undefined;
    try {
      principal = await connection.reauthenticate();
    } catch {
      return;
    }
    if (!this.connections.has(connection)) return;
    if (!principal) this.end(connection, STREAM_CLOSE_CODES.credentialsInvalid, 'The credentials were revoked or expired');
    else if (!grants(principal.scopes, 'read')) this.end(connection, STREAM_CLOSE_CODES.forbidden, 'The credentials lost the read scope');
    else connection.principal = principal;
  }

  private end(connection: StreamConnection, code: StreamCloseCode, reason: string): void {
    this.connections.delete(connection);
    connection.close(code, reason);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** As refresh, but a failure is logged and makes the next refresh a whole one (the ingest loop must not see it). */
  private refreshSafely(which: 'all' | Set<string>): Promise<void> {
    return this.enqueue(async () => {
      try {
        await this.refresh(this.incomplete ? 'all' : which);
        this.incomplete = false;
      } catch (error) {
        this.incomplete = true;
        this.options.logger.warn(
          { err: (error as Error).message },
          'live stream could not read the live values; retrying with the next change',
        );
      }
    });
  }

  /** Rebuilds the named objects (or all) and sends what changed. */
  private async refresh(which: 'all' | Set<string>): Promise<void> {
    const now = this.now();
    const system = await this.options.live.system();
    const ctx = freshnessContext(system, this.options.staleAfterMs, now);
    // The system decides the freshness of everything (1.9 heartbeat), the chargepoints' charge mode and the grid meter.
    const all = which === 'all' || which.has(keyOf('system', system.id));
    const wanted = (kind: StreamKind, id: string) => all || (which as Set<string>).has(keyOf(kind, id));

    const chargepoints = await this.options.live.list('chargepoint');
    this.forget('chargepoint', this.chargepoints, chargepoints, wanted);
    for (const view of chargepoints) {
      if (!wanted('chargepoint', view.id)) continue;
      const chargepoint = buildChargePoint(view, system, ctx);
      this.chargepoints.set(view.id, chargepoint);
      this.update('chargepoint', view, chargepoint, ctx);
    }
    const vehicles = await this.options.live.list('vehicle');
    this.forget('vehicle', this.vehicles, vehicles, wanted);
    for (const view of vehicles) {
      if (!wanted('vehicle', view.id)) continue;
      const vehicle = buildVehicle(view, ctx);
      this.vehicles.set(view.id, vehicle);
      this.update('vehicle', view, vehicle, ctx);
    }
    if (SITE_PARTS.some((part) => wanted('site', part))) await this.refreshSite(system, ctx);
    if (all) {
      this.update('system', system, await this.options.system(), { ...ctx, staleAfterMs: Infinity });
    }
    this.scheduleStale(now);
  }

  /** Objects openWB no longer publishes (retired) leave the snapshot, as they leave the REST lists; clients are told `removed`. */
  private forget(
    kind: StreamKind,
    bodies: Map<string, unknown>,
    listed: readonly EntityView[],
    wanted: (kind: StreamKind, id: string) => boolean,
  ): void {
    const present = new Set(listed.map((view) => view.id));
    for (const id of bodies.keys()) {
      if (present.has(id) || !wanted(kind, id)) continue;
      bodies.delete(id);
      if (this.objects.delete(keyOf(kind, id))) this.publish({ kind, id }, { type: 'removed', kind, id });
    }
  }

  private async refreshSite(system: SystemView, ctx: FreshnessContext): Promise<void> {
    const gridCounterId = system.fields.gridCounterId?.value;
    const [pv, battery, home, grid19] = await this.options.live.read(
      { kind: 'site', id: SITE_IDS.pv },
      { kind: 'site', id: SITE_IDS.battery },
      { kind: 'site', id: SITE_IDS.home },
      { kind: 'site', id: SITE_IDS.grid },
    );
    const grid = gridCounterId === undefined ? grid19 : (await this.options.live.read({ kind: 'counter', id: gridCounterId }))[0];
    const views = { grid, pv, battery, home };
    const site = buildSite(views, ctx);
    this.site = site;
    for (const part of SITE_PARTS) this.update('site', { ...views[part], id: part }, site[part], ctx);
  }

  /** Compares the new body with the last one sent and tells the connections what changed. */
  private update(kind: StreamKind, view: Pick<EntityView, 'id' | 'published' | 'updatedAt'>, body: Body, ctx: FreshnessContext): void {
    if (!view.published && kind !== 'site') return;
    const key = keyOf(kind, view.id);
    const before = this.objects.get(key);
    const turnsStale = staleAt(view.updatedAt, ctx);
    const stale = ctx.now > turnsStale;
    const updatedAt = iso(view.updatedAt);
    const next: StreamObject = { kind, id: view.id, body, updatedAt, stale, staleAt: stale ? Infinity : turnsStale };
    this.objects.set(key, next);
    if (!before) {
      this.publish(next, changedMessage(next, Object.keys(next.body)));
      return;
    }
    const changed = Object.keys(next.body).filter(
      (name) => !ENVELOPE.has(name) && JSON.stringify(next.body[name]) !== JSON.stringify(before.body[name]),
    );
    if (changed.length > 0 || (before.stale && !stale)) this.publish(next, changedMessage(next, changed));
    else if (stale && !before.stale) this.publish(next, { type: 'stale', kind, id: view.id, updatedAt });
  }

  private publish(object: Pick<StreamObject, 'kind' | 'id'>, message: ObjectMessage): void {
    const key = keyOf(object.kind, object.id);
    this.fanOut(
      (connection) => wants(connection, object.kind, object.id),
      () => outgoing(message),
      () => key,
    );
  }

  private publishEvent(event: GatewayEvent): void {
    this.fanOut(
      (connection) => receives(connection.principal, connection.narrowing, event),
      () => outgoing(eventMessage(event)),
      (out) => eventKey(out.message),
    );
  }

  /** Hands a message, serialised once and only if a connection may see it, to every connection that may see it. */
  private fanOut<M extends QueuedMessage>(
    sees: (connection: StreamConnection) => boolean,
    serialise: () => Outgoing<M>,
    subjectOf: (out: Outgoing<M>) => string,
  ): void {
    const started = performance.now();
    const now = this.now();
    let shared: Outgoing<M> | undefined;
    let subject = '';
    let sent = 0;
    for (const connection of this.connections) {
      if (!sees(connection)) continue;
      if (!shared) {
        shared = serialise();
        subject = subjectOf(shared);
      }
      if (connection.deliver(subject, shared, now)) sent++;
    }
    if (!shared) return;
    if (sent > 0) this.options.counters?.messagesSent.inc(sent);
    this.options.counters?.fanOut?.observe((performance.now() - started) / 1000);
  }

  /** One timer for the next object to turn stale; when it fires, those objects are rebuilt and their flip pushed. */
  private scheduleStale(now: number): void {
    clearTimeout(this.staleTimer);
    let next = Infinity;
    for (const object of this.objects.values()) if (object.staleAt < next) next = object.staleAt;
    if (next === Infinity) return;
    this.staleTimer = setTimeout(
      () => {
        const due = new Set([...this.objects.entries()].filter(([, o]) => o.staleAt < this.now()).map(([key]) => key));
        void this.refreshSafely(due);
      },
      Math.max(0, next - now) + 1,
    );
    this.staleTimer.unref?.();
  }
}

function changedMessage(object: StreamObject, names: readonly string[]): ObjectMessage {
  const fields: Record<string, { value: unknown; updatedAt: string | null }> = {};
  for (const name of names) if (!ENVELOPE.has(name)) fields[name] = { value: object.body[name], updatedAt: object.updatedAt };
  return { type: 'changed', kind: object.kind, id: object.id, fields, updatedAt: object.updatedAt, stale: object.stale };
}

const byId = <T>(bodies: Map<string, T>): T[] => [...bodies.entries()].sort(([a], [b]) => compareIds(a, b)).map(([, body]) => body);

/** The connection's principal may see the object and its client asked for it. */
function wants({ principal, narrowing }: StreamConnection, kind: StreamKind, id: string): boolean {
  if (!narrowing.values) return false;
  return kind !== 'chargepoint' || (principal.canAccessChargepoint(id) && (narrowing.chargepoints?.has(id) ?? true));
}

/** The stream objects a batch of field updates may change. */
function affected(updates: readonly FieldUpdate[]): Set<string> {
  const keys = new Set<string>();
  for (const update of updates) {
    if (update.kind === 'chargepoint' || update.kind === 'vehicle' || update.kind === 'system') keys.add(keyOf(update.kind, update.id));
    else if (update.kind === 'site') keys.add(keyOf('site', update.id));
    else if (update.kind === 'counter') keys.add(keyOf('site', SITE_IDS.grid));
  }
  return keys;
}
