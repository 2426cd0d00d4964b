/**
 * RFID profiles: admins manage every profile, users their own. A profile names its owner, its tags (each
 * in at most one profile), where it applies and the preset applied when one of its tags is scanned.
 */
import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/audit-service.ts';
import { listDetail } from '../audit/audit-detail.ts';
import { actorOf, type AuditClient } from '../audit/audit.ts';
import type { Principal } from '../auth/principal.ts';
import type { UserService } from '../auth/user-service.ts';
import { checkEdit } from '../control/template-edit.ts';
import type { Schemas } from '../api/types.ts';
import { InvalidInputError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { LiveModel } from '../live/live-model.ts';
import type { Preset, ProfileRecord } from './model.ts';
import type { ProfileRepository } from './profile-repository.ts';
import type { PageRequest } from '../db/keyset-page.ts';

type NewProfile = Schemas['NewProfile'];
type ProfileUpdate = Schemas['ProfileUpdate'];

export class ProfileService {
  constructor(
    private readonly deps: {
      repository: ProfileRepository;
      users: Pick<UserService, 'get'>;
      live: LiveModel;
      audit: AuditService;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  async list(principal: Principal, user?: string, page?: PageRequest): Promise<ProfileRecord[]> {
    if (principal.role === 'admin') return this.deps.repository.list(user, page);
    if (!principal.userId) return [];
    return this.deps.repository.list(principal.userId, page);
  }

  async get(principal: Principal, id: string): Promise<ProfileRecord> {
    const profile = await this.deps.repository.get(id);
    if (!profile || !this.mayManage(principal, profile.userId)) throw new NotFoundError(`There is no profile ${id}`);
    return profile;
  }

  async create(principal: Principal, input: NewProfile, client?: AuditClient): Promise<ProfileRecord> {
    const userId = await this.owner(principal, input.userId);
    this.checkChargepoints(principal, input.chargepoints ?? []);
    const preset = input.preset ?? {};
    await this.checkPreset(preset);
    const now = this.now;
    const profile: ProfileRecord = {
      id: randomUUID(),
      userId,
      userName: null,
      name: input.name,
      tags: input.tags,
      chargepoints: [...new Set(input.chargepoints ?? [])],
      preset,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.repository.insert(profile);
    await this.record('profile.create', principal, profile, client);
    return (await this.deps.repository.get(profile.id)) ?? profile;
  }

  async update(principal: Principal, id: string, patch: ProfileUpdate, client?: AuditClient): Promise<ProfileRecord> {
    const current = await this.get(principal, id);
    const userId = patch.userId === undefined ? current.userId : await this.owner(principal, patch.userId);
    if (patch.chargepoints) this.checkChargepoints(principal, patch.chargepoints);
    if (patch.preset) await this.checkPreset(patch.preset);
    const next: ProfileRecord = {
      ...current,
      userId,
      name: patch.name ?? current.name,
      tags: patch.tags ?? current.tags,
      chargepoints: patch.chargepoints ? [...new Set(patch.chargepoints)] : current.chargepoints,
      preset: patch.preset ?? current.preset,
      updatedAt: this.now,
    };
    if (!(await this.deps.repository.update(next, patch.tags !== undefined))) throw new NotFoundError(`There is no profile ${id}`);
    await this.record('profile.update', principal, next, client);
    return (await this.deps.repository.get(id)) ?? next;
  }

  async delete(principal: Principal, id: string, client?: AuditClient): Promise<void> {
    const current = await this.get(principal, id);
    if (!(await this.deps.repository.delete(id))) throw new NotFoundError(`There is no profile ${id}`);
    await this.record('profile.delete', principal, current, client);
  }

  private mayManage(principal: Principal, ownerId: string): boolean {
    return principal.role === 'admin' || (principal.userId !== null && principal.userId === ownerId);
  }

  /** The owner: the caller by default; another user only for admins, and it must exist. */
  private async owner(principal: Principal, requested: string | undefined): Promise<string> {
    if (requested !== undefined && requested !== principal.userId && principal.role !== 'admin') {
      throw new ForbiddenError('Only admins may create or move profiles for other users');
    }
    const userId = requested ?? principal.userId;
    if (!userId)
      throw new InvalidInputError('userId: these credentials belong to no user (a system key): name the user who owns the profile');
    try {
      await this.deps.users.get(userId);
    } catch (error) {
      if (error instanceof NotFoundError) throw new InvalidInputError(`userId: there is no user ${userId}`);
      throw error;
    }
    return userId;
  }

  private checkChargepoints(principal: Principal, chargepoints: readonly string[]): void {
    const foreign = chargepoints.filter((id) => !principal.canAccessChargepoint(id));
    if (foreign.length) throw new ForbiddenError(`You may not use chargepoint ${foreign.join(', ')}`);
  }

  /** The preset must make sense as one template change and on this openWB (its vehicle must exist). */
  private async checkPreset(preset: Preset): Promise<void> {
    checkEdit({ chargeMode: preset.chargeMode, instantCharging: preset.instantCharging, pvCharging: preset.pvCharging });
    const generation = (await this.deps.live.system()).fields.generation?.value;
    if (generation === '1.9') {
      if (preset.vehicleId !== undefined) throw new InvalidInputError('preset.vehicleId: openWB 1.9 has no vehicles');
      if (preset.pvCharging !== undefined) throw new InvalidInputError('preset.pvCharging: openWB 1.9 has no per-chargepoint PV settings');
      if (preset.chargeMode === 'eco' || preset.chargeMode === 'scheduled')
        throw new InvalidInputError(`preset.chargeMode: openWB 1.9 has no ${preset.chargeMode} mode`);
      if (preset.instantCharging?.phases !== undefined)
        throw new InvalidInputError('preset.instantCharging.phases: openWB 1.9 has no per-chargepoint phase setting');
    }
    if (preset.vehicleId !== undefined && generation === '2') {
      if (!(await this.deps.live.vehicle(preset.vehicleId)).published)
        throw new InvalidInputError(`preset.vehicleId: openWB has no vehicle ${preset.vehicleId}`);
    }
  }

  private async record(action: string, principal: Principal, profile: ProfileRecord, client?: AuditClient): Promise<void> {
    await this.deps.audit.record({
      action,
      actor: actorOf(principal),
      target: { type: 'profile', id: profile.id },
      client,
      detail: {
        name: profile.name,
        userId: profile.userId,
        tags: profile.tags.length,
        chargepoints: listDetail(profile.chargepoints, 'chargepoints') || 'all',
        preset: JSON.stringify(profile.preset).slice(0, 500),
      },
    });
  }
}
