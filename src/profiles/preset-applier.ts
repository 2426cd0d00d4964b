/**
 * What a claimed RFID scan does: find the tag's profile, check it applies here and its owner may use the
 * chargepoint, attribute the session, and apply the preset through the command service as that user (via
 * `rfid`), so it is checked, confirmed and audited like any API command.
 */
import type { Logger } from 'pino';
import { makePrincipal } from '../auth/principal.ts';
import type { UserService } from '../auth/user-service.ts';
import type { CommandService } from '../control/command-service.ts';
import type { Issuer } from '../control/model.ts';
import type { CommandChange } from '../control/planner.ts';
import { DomainError, NotFoundError } from '../errors.ts';
import type { LiveModel } from '../live/live-model.ts';
import type { Generation } from '../openwb/generation.ts';
import type { GatewayEvents } from '../events/gateway-events.ts';
import { rfidEventDto, type Preset, type RfidEventRecord, type RfidOutcome, type RfidSource } from './model.ts';
import type { ProfileRepository } from './profile-repository.ts';
import type { EventChanges, RfidEventRepository } from './rfid-event-repository.ts';
import { settleScan, settleTemplate } from './settle.ts';

export interface TagSignal {
  chargepointId: string;
  tag: string;
  source: RfidSource;
  at: number;
}

export interface PresetApplierDeps {
  profiles: ProfileRepository;
  events: RfidEventRepository;
  users: Pick<UserService, 'get'>;
  commands: CommandService;
  live: LiveModel;
  logger: Logger;
  /** Called for every event whose session should be attributed to the profile's user. */
  attribute: (event: RfidEventRecord) => void;
  /** Told of each scan once its owner is known (`pending`) and of its outcome (the live stream's `rfid` events). */
  gatewayEvents?: GatewayEvents;
  now?: () => number;
  pollMs?: number;
}

interface PartResult {
  commandId?: string;
  status: 'applied' | 'timeout' | 'failed';
  detail?: string;
}

const isEmpty = (preset: Preset) => !preset.chargeMode && !preset.instantCharging && !preset.pvCharging && preset.vehicleId === undefined;

export class PresetApplier {
  private readonly abort = new AbortController();

  constructor(private readonly deps: PresetApplierDeps) {}

  stop(): void {
    this.abort.abort();
  }

  async handle(signal: TagSignal): Promise<RfidEventRecord> {
    const event = await this.decide(signal);
    this.announce(event);
    return event;
  }

  private announce(event: RfidEventRecord): void {
    this.deps.gatewayEvents?.publish({ type: 'rfid', rfidEvent: rfidEventDto(event) });
  }

  private async decide(signal: TagSignal): Promise<RfidEventRecord> {
    const { events } = this.deps;
    const base: Omit<RfidEventRecord, 'id'> = {
      at: signal.at,
      chargepointId: signal.chargepointId,
      tag: signal.tag,
      source: signal.source,
      outcome: 'pending',
      detail: null,
      profileId: null,
      userId: null,
      commandIds: [],
      sessionId: null,
      attribution: 'none',
    };
    const event: RfidEventRecord = { ...base, id: await events.insert(base) };
    const finish = async (changes: EventChanges) => {
      Object.assign(event, changes);
      await events.update(event.id, changes);
      return event;
    };
    const profile = await this.deps.profiles.findByTag(signal.tag);
    if (!profile) return finish({ outcome: 'unknownTag', detail: 'No profile has this tag: nothing was changed' });
    await finish({ profileId: profile.id, userId: profile.userId });
    this.announce(event);
    const user = await this.deps.users.get(profile.userId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!user || user.disabledAt !== null) return finish({ outcome: 'notAllowed', detail: "The profile's owner is disabled or gone" });
    if (profile.chargepoints.length > 0 && !profile.chargepoints.includes(signal.chargepointId)) {
      return finish({ outcome: 'notAllowed', detail: `The profile does not apply on chargepoint ${signal.chargepointId}` });
    }
    const principal = makePrincipal({
      kind: 'token',
      id: `rfid:${event.id}`,
      userId: user.id,
      name: user.name,
      role: user.role,
      scopes: ['control'],
      userChargepoints: user.chargepoints,
    });
    if (!principal.canAccessChargepoint(signal.chargepointId)) {
      return finish({ outcome: 'notAllowed', detail: `The profile's owner may not use chargepoint ${signal.chargepointId}` });
    }
    const generation = await this.generation();
    if (generation === '2') {
      const boundToOther = await this.settle(signal);
      if (boundToOther !== undefined)
        return finish({ outcome: 'notAllowed', detail: `The session on chargepoint ${signal.chargepointId} belongs to another tag` });
    }
    await finish({ attribution: 'pending' });
    this.deps.attribute(event);
    if (isEmpty(profile.preset))
      return finish({ outcome: 'noPreset', detail: 'The profile has no preset: only the session is attributed' });
    const issuer: Issuer = {
      principal,
      via: 'rfid',
      actor: { type: 'user', id: user.id, name: user.name },
      auditDetail: { profileId: profile.id, tag: signal.tag, rfidEvent: event.id },
    };
    const parts = await this.apply(signal, profile.preset, issuer, generation);
    const failed = parts.filter((p) => p.status === 'failed');
    const outcome: RfidOutcome = failed.length ? 'failed' : parts.some((p) => p.status === 'timeout') ? 'timeout' : 'applied';
    const detail =
      parts
        .map((p) => p.detail)
        .filter(Boolean)
        .join('; ') || null;
    return finish({ outcome, detail, commandIds: parts.flatMap((p) => (p.commandId ? [p.commandId] : [])) });
  }

  private async generation(): Promise<Generation | undefined> {
    return (await this.deps.live.system()).fields.generation?.value;
  }

  /** openWB 2.x: waits until openWB has bound (or dropped) the tag; returns the tag bound instead, if another one is. */
  private async settle(signal: TagSignal): Promise<string | undefined> {
    const settle = { live: this.deps.live, signal: this.abort.signal, now: this.deps.now, pollMs: this.deps.pollMs };
    if (signal.source === 'scan') await settleScan(settle, signal.chargepointId, signal.tag);
    else await settleTemplate(settle, signal.chargepointId);
    const bound = (await this.deps.live.chargepoint(signal.chargepointId)).fields.rfidTag?.value;
    return bound !== undefined && bound !== '' && bound !== signal.tag ? bound : undefined;
  }

  private async apply(signal: TagSignal, preset: Preset, issuer: Issuer, generation: Generation | undefined): Promise<PartResult[]> {
    const target = { type: 'chargepoint' as const, id: signal.chargepointId };
    const run = async (change: CommandChange): Promise<PartResult> => {
      try {
        const { record } = await this.deps.commands.execute({ target, change }, issuer);
        return {
          commandId: record.id,
          status: record.status === 'timeout' ? 'timeout' : 'applied',
          detail: record.status === 'timeout' ? `${change.action}: not confirmed` : undefined,
        };
      } catch (error) {
        if (!(error instanceof DomainError)) this.deps.logger.error({ err: (error as Error).message }, 'applying an RFID preset failed');
        return { status: 'failed', detail: `${change.action}: ${(error as Error).message}` };
      }
    };
    const results: PartResult[] = [];
    if (generation === '1.9') {
      if (preset.chargeMode) results.push(await run({ action: 'chargeMode', mode: preset.chargeMode }));
      if (preset.instantCharging) results.push(await run({ action: 'instantCharging', settings: preset.instantCharging }));
      if (preset.pvCharging) results.push({ status: 'failed', detail: 'pvCharging: openWB 1.9 has no per-chargepoint PV settings' });
      if (preset.vehicleId !== undefined) results.push({ status: 'failed', detail: 'vehicleId: openWB 1.9 has no vehicles' });
      return results;
    }
    const settle = { live: this.deps.live, signal: this.abort.signal, now: this.deps.now, pollMs: this.deps.pollMs };
    if (preset.vehicleId !== undefined) {
      const vehicle = await run({ action: 'vehicle', vehicleId: preset.vehicleId });
      results.push(vehicle);
      // openWB copies the new vehicle's template onto the chargepoint in its next cycle: edit that one.
      if (vehicle.status === 'applied') await settleTemplate(settle, signal.chargepointId, preset.vehicleId);
    }
    if (preset.chargeMode || preset.instantCharging || preset.pvCharging) {
      results.push(
        await run({
          action: 'preset',
          edit: { chargeMode: preset.chargeMode, instantCharging: preset.instantCharging, pvCharging: preset.pvCharging },
        }),
      );
    }
    return results;
  }
}
