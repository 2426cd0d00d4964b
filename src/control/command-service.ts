/**
 * Sends a command to openWB and follows it to its outcome: plan (checks, topics, confirmation), store it as
 * `pending`, publish, then wait for the state topic. The caller waits up to its wait; the watch goes on in
 * the background until COMMAND_TIMEOUT_S and moves the command to `applied` or `timeout`, audited either way.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Principal } from '../auth/principal.ts';
import { DomainError, ForbiddenError, NotFoundError, UnavailableError } from '../errors.ts';
import { requirePublished, type LiveModel } from '../live/live-model.ts';
import type { ChargePointView } from '../live/views.ts';
import type { CommandRepository, ControlMemory } from './command-repository.ts';
import type { ConfirmationWatcher, Watch } from './confirmation.ts';
import type { CommandLock } from './lock.ts';
import type { CommandRecord, Issuer, Plan } from './model.ts';
import type { PendingTemplates } from './pending.ts';
import type { GatewayEvents } from '../events/gateway-events.ts';
import { commandDto } from './views.ts';
import { planFor, requestOf, vehicleAt, type CommandInput, type PlanContext, type PlanSpec } from './planner.ts';
import { templatePlan } from './plan-v2.ts';
import type { CommandPublisher } from './publisher.ts';

export interface CommandServiceDeps {
  live: LiveModel;
  repository: CommandRepository;
  memory: ControlMemory;
  publisher: CommandPublisher;
  watcher: ConfirmationWatcher;
  lock: CommandLock;
  pending: PendingTemplates;
  audit: AuditService;
  logger: Logger;
  timeoutMs: number;
  /** Told each command when it is sent and when it reaches its outcome (the live stream's `command` events). */
  gatewayEvents?: GatewayEvents;
  now?: () => number;
}

export interface CommandOutcome {
  record: CommandRecord;
  /** The state showed the change within the caller's wait. */
  applied: boolean;
  /** The live fields of the entities the command acted on, as of the outcome. */
  vehicleId?: string;
}

const MIN_PV = 'minPvCurrent';
/** How long after its expiry a `pending` command whose sender went away is reported as `timeout`. */
const ORPHAN_GRACE_MS = 5_000;

export class CommandService {
  private readonly now: () => number;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly watches = new Set<Watch>();

  constructor(private readonly deps: CommandServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  get timeoutMs(): number {
    return this.deps.timeoutMs;
  }

  /** Runs one command; resolves after `waitMs` at most (the watch goes on until the timeout). */
  async execute(input: CommandInput, issuer: Issuer, waitMs = this.deps.timeoutMs): Promise<CommandOutcome> {
    let ctx: PlanContext;
    let spec: PlanSpec;
    try {
      ctx = await this.context(input, issuer);
      spec = await planFor(input, ctx, issuer);
    } catch (error) {
      // A refusal is audited; an outage (nothing was decided) is not.
      if (error instanceof DomainError && !(error instanceof UnavailableError)) await this.auditRejected(input, issuer, error.message);
      throw error;
    }
    const sent =
      spec.kind === 'direct'
        ? await this.dispatch(input, issuer, spec.plan)
        : await this.deps.lock.run(`chargepoint:${spec.chargepointId}`, () => this.dispatchTemplate(input, issuer, spec));
    const outcome = this.follow(sent.record, sent.watch, spec.kind === 'template' ? spec.chargepointId : undefined, issuer);
    const record = await this.waitFor(outcome, sent.record, waitMs);
    return { record, applied: record.status === 'applied', vehicleId: ctx.vehicleId };
  }

  /** A command its owner (or an admin) may read; 404 for anyone else. */
  async get(id: string, principal: Principal): Promise<CommandRecord> {
    const record = await this.deps.repository.get(id);
    if (!record || !(principal.role === 'admin' || (record.userId !== null && record.userId === principal.userId))) {
      throw new NotFoundError(`There is no command ${id}`);
    }
    if (record.status === 'pending' && this.now() > record.expiresAt + ORPHAN_GRACE_MS) {
      const detail = 'Not confirmed: the gateway instance that sent it stopped watching';
      await this.deps.repository.complete(id, 'timeout', this.now(), detail);
      return { ...record, status: 'timeout', completedAt: this.now(), detail };
    }
    return record;
  }

  /** Stops watching (pending commands become `timeout`) and waits for their records to be written. */
  async close(): Promise<void> {
    for (const watch of this.watches) watch.cancel();
    await Promise.allSettled([...this.inflight]);
  }

  private async context(input: CommandInput, issuer: Issuer): Promise<PlanContext> {
    const { live } = this.deps;
    const { target } = input;
    const [system, entity] = await live.read({ kind: 'system' }, { kind: target.type, id: target.id });
    const generation = system.fields.generation?.value;
    if (generation === undefined) {
      throw new UnavailableError('openWB has not been detected yet: the gateway has received nothing from it');
    }
    requirePublished(entity);
    let list: Promise<Map<string, ChargePointView>> | undefined;
    const chargepoints = () => (list ??= live.list('chargepoint').then((all) => new Map(all.map((view) => [view.id, view]))));
    const ctx: PlanContext = {
      generation,
      system,
      chargepoints,
      vehicleExists: async (id) => (await live.vehicle(id)).published,
      chargeTemplateExists: async (id) => (await live.chargeTemplate(id)).published,
    };
    if (entity.kind === 'chargepoint') {
      ctx.chargepoint = entity;
      const vehicleId = generation === '2' ? vehicleAt(entity) : undefined;
      if (vehicleId !== undefined) {
        ctx.vehicleId = vehicleId;
        ctx.vehicle = await live.vehicle(vehicleId);
      }
    } else {
      ctx.vehicleId = target.id;
      ctx.vehicle = entity;
      await this.assertVehicleAccess(target.id, issuer, await chargepoints());
    }
    return ctx;
  }

  /** Users may act on a vehicle only while it is connected to, or assigned to, one of their chargepoints. */
  private async assertVehicleAccess(vehicleId: string, issuer: Issuer, chargepoints: Map<string, ChargePointView>): Promise<void> {
    const principal = issuer.principal;
    if (principal.role === 'admin' && principal.chargepoints === null) return;
    for (const [id, { fields }] of chargepoints) {
      if (!principal.canAccessChargepoint(id)) continue;
      if (fields.vehicleId?.value === vehicleId || fields.configuredVehicleId?.value === vehicleId) return;
    }
    throw new ForbiddenError(`You may not use vehicle ${vehicleId}: it is not at one of your chargepoints`);
  }

  private async dispatchTemplate(input: CommandInput, issuer: Issuer, spec: Extract<PlanSpec, { kind: 'template' }>) {
    const id = spec.chargepointId;
    const [pending, chargepoint, remembered] = await Promise.all([
      this.deps.pending.get(id),
      this.deps.live.chargepoint(id),
      this.deps.memory.get(id, MIN_PV),
    ]);
    const base = pending?.template ?? chargepoint.fields.chargeTemplate?.value;
    if (!base) throw new UnavailableError(`The charge template of chargepoint ${id} has not been received from openWB yet`);
    const plan = templatePlan(id, base, spec.edit, remembered === undefined ? undefined : Number(remembered));
    const sent = await this.dispatch(input, issuer, plan);
    // Sent already: failing to note it only loses the merge protection for a moment, so do not fail the request.
    await this.deps.pending
      .set(id, { commandId: sent.record.id, template: plan.edited.template }, this.deps.timeoutMs)
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: (error as Error).message, chargepointId: id }, 'noting a pending charge template failed'),
      );
    const minPv = plan.edited.minPvCurrent;
    if (minPv !== undefined && String(minPv) !== remembered) await this.deps.memory.set(id, MIN_PV, String(minPv), this.now());
    return sent;
  }

  /** Stores the command, starts watching, publishes. */
  private async dispatch(input: CommandInput, issuer: Issuer, plan: Plan): Promise<{ record: CommandRecord; watch: Watch | undefined }> {
    const now = this.now();
    const record: CommandRecord = {
      id: randomUUID(),
      action: input.change.action,
      target: input.target,
      status: 'pending',
      via: issuer.via,
      userId: issuer.principal.userId,
      actor: issuer.actor,
      request: requestOf(input.change),
      topics: plan.messages.map((m) => m.topic),
      detail: plan.unconfirmable ?? null,
      createdAt: now,
      expiresAt: now + this.deps.timeoutMs,
      completedAt: null,
    };
    await this.deps.repository.insert(record);
    const watch = plan.expectations.length ? this.deps.watcher.watch(plan.expectations, now, this.deps.timeoutMs) : undefined;
    try {
      for (const message of plan.messages) await this.deps.publisher.publish(message);
    } catch (error) {
      watch?.cancel();
      const detail = `Not sent: ${(error as Error).message}`;
      await this.deps.repository.complete(record.id, 'timeout', this.now(), detail).catch(() => undefined);
      await this.auditOutcome({ ...record, status: 'timeout', detail }, issuer).catch(() => undefined);
      this.announce({ ...record, status: 'timeout', completedAt: this.now(), detail });
      throw error instanceof DomainError ? error : new UnavailableError('The command could not be sent to openWB');
    }
    this.announce(record);
    watch?.check();
    return { record, watch };
  }

  /** The background part: outcome → database → audit. Never rejects. */
  private follow(
    record: CommandRecord,
    watch: Watch | undefined,
    chargepointId: string | undefined,
    issuer: Issuer,
  ): Promise<CommandRecord> {
    if (watch) this.watches.add(watch);
    const run = (async () => {
      const applied = watch ? await watch.result : false;
      if (watch) this.watches.delete(watch);
      const status = watch ? (applied ? 'applied' : 'timeout') : 'sent';
      const at = this.now();
      const detail =
        status === 'timeout' ? `openWB did not show the change within ${Math.round(this.deps.timeoutMs / 1000)} s` : record.detail;
      const done: CommandRecord = { ...record, status, completedAt: at, detail };
      try {
        if (chargepointId !== undefined) await this.deps.pending.clear(chargepointId, record.id);
        await this.deps.repository.complete(record.id, status, at, status === 'timeout' ? detail : null);
        await this.auditOutcome(done, issuer);
      } catch (error) {
        this.deps.logger.error({ err: (error as Error).message, commandId: record.id }, 'recording a command outcome failed');
      }
      this.announce(done);
      return done;
    })();
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
    return run;
  }

  private announce(record: CommandRecord): void {
    this.deps.gatewayEvents?.publish({ type: 'command', command: commandDto(record), ownerId: record.userId });
  }

  private async waitFor(outcome: Promise<CommandRecord>, record: CommandRecord, waitMs: number): Promise<CommandRecord> {
    if (waitMs <= 0) return record;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
    try {
      return (await Promise.race([outcome, waited])) ?? record;
    } finally {
      clearTimeout(timer);
    }
  }

  private async auditOutcome(record: CommandRecord, issuer: Issuer): Promise<void> {
    await this.deps.audit.record({
      action: auditAction(record.action),
      outcome: record.status === 'timeout' ? 'failure' : 'success',
      actor: issuer.actor,
      target: record.target,
      client: issuer.client,
      detail: { commandId: record.id, status: record.status, via: record.via, ...flatten(record.request), ...issuer.auditDetail },
    });
  }

  private async auditRejected(input: CommandInput, issuer: Issuer, reason: string): Promise<void> {
    await this.deps.audit
      .record({
        action: auditAction(input.change.action),
        outcome: 'failure',
        actor: issuer.actor,
        target: input.target,
        client: issuer.client,
        detail: {
          status: 'rejected',
          via: issuer.via,
          reason: reason.slice(0, 500),
          ...flatten(requestOf(input.change)),
          ...issuer.auditDetail,
        },
      })
      .catch((error: unknown) => this.deps.logger.error({ err: (error as Error).message }, 'auditing a rejected command failed'));
  }
}

/** `command.charge-mode`: audit actions are lower-case (the audit query accepts `[a-z0-9.-]`). */
export function auditAction(action: string): string {
  return `command.${action.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The request as flat audit facts (nested settings as JSON text). */
function flatten(request: object): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(request)) {
    out[key] =
      value === null || typeof value !== 'object' ? (value as string | number | boolean | null) : JSON.stringify(value).slice(0, 500);
  }
  return out;
}
