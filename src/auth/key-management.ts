import { listDetail } from '../audit/audit-detail.ts';
import type { AuditClient } from '../audit/audit.ts';
import { actorOf } from '../audit/audit.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { InvalidInputError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { ApiKeyService } from './api-key-service.ts';
import type { ApiKeyRecord, DeviceBinding, Scope } from './api-key.ts';
import type { Principal } from './principal.ts';
import { normalizeChargepoints } from './user.ts';

export interface KeyRequest {
  name: string;
  scopes: Scope[];
  chargepoints?: string[] | null;
  expiresAt?: number | null;
}

/** A key for one device: it gets the `device` scope and the binding, nothing else. */
export interface DeviceKeyRequest {
  name: string;
  expiresAt?: number | null;
}

/** Where a device's keys are created (for the error that points there). */
const DEVICE_KEY_PATHS: Record<DeviceBinding['kind'], string> = {
  meter: 'POST /api/v1/meters/{meterId}/keys',
  series: 'POST /api/v1/series/{seriesId}/keys',
};

const isAdmin = (principal: Principal) => principal.scopes.includes('admin');

function assertMayCreateKeys(principal: Principal): void {
  if (principal.kind === 'apiKey' && !isAdmin(principal)) {
    throw new ForbiddenError('Create keys with an access token from /api/v1/auth/login (or an admin key), not with this API key');
  }
}

/**
 * API keys as callers manage them: their own keys (admins: every key). A new key never gets more than
 * its creator has: no scope beyond the creator's (so a `user` cannot mint `admin` keys) and no chargepoint
 * the creator may not use. Only access tokens and admin keys create keys, so a leaked read or control key
 * cannot copy itself into one that outlives its revocation.
 */
export class KeyManagement {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly audit: AuditService,
    private readonly now: () => number = Date.now,
  ) {}

  async create(principal: Principal, request: KeyRequest, client: AuditClient): Promise<{ key: string; record: ApiKeyRecord }> {
    assertMayCreateKeys(principal);
    const scopes = [...new Set(request.scopes)];
    if (scopes.includes('device')) {
      throw new InvalidInputError(
        `A device key is created on its device (${Object.values(DEVICE_KEY_PATHS).join(', ')}), not with the device scope here`,
      );
    }
    const beyond = scopes.filter((scope) => !principal.scopes.includes(scope) && !isAdmin(principal));
    if (beyond.length) throw new ForbiddenError(`You cannot create a key with the ${beyond.join(', ')} scope: it exceeds your own`);
    const chargepoints = request.chargepoints ? normalizeChargepoints(request.chargepoints) : null;
    const forbidden = (chargepoints ?? []).filter((id) => !principal.canAccessChargepoint(id));
    if (forbidden.length) throw new ForbiddenError(`You may not use chargepoint ${forbidden.join(', ')}, so no key of yours may`);
    if (request.expiresAt != null && request.expiresAt <= this.now()) throw new InvalidInputError('expiresAt lies in the past');
    const created = await this.apiKeys.create({
      name: request.name,
      scopes,
      chargepoints,
      expiresAt: request.expiresAt ?? null,
      userId: principal.userId,
    });
    await this.audit.record({
      action: 'key.create',
      actor: actorOf(principal),
      target: { type: 'apiKey', id: created.record.id },
      client,
      detail: {
        name: request.name,
        prefix: created.record.prefix,
        scopes: scopes.join(','),
        chargepoints: chargepoints ? listDetail(chargepoints, 'chargepoints') : null,
      },
    });
    return created;
  }

  /**
   * A key bound to one device, for the device's owner (`ownerId`, null: a device of the installation, made
   * by a system key): only the owner or an admin may create it, and the key belongs to the owner (it dies
   * with the owner's account, and shows in the owner's key list with its binding). The caller has checked
   * that the device exists and who owns it.
   */
  async createForDevice(
    principal: Principal,
    device: DeviceBinding,
    ownerId: string | null,
    request: DeviceKeyRequest,
    client: AuditClient,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    assertMayCreateKeys(principal);
    if (!isAdmin(principal) && principal.userId !== ownerId) {
      throw new ForbiddenError(`Only the owner of ${device.kind} ${device.id} (or an admin) may create its keys`);
    }
    if (request.expiresAt != null && request.expiresAt <= this.now()) throw new InvalidInputError('expiresAt lies in the past');
    const created = await this.apiKeys.create({
      name: request.name,
      scopes: ['device'],
      expiresAt: request.expiresAt ?? null,
      userId: ownerId,
      device,
    });
    await this.audit.record({
      action: 'key.create',
      actor: actorOf(principal),
      target: { type: 'apiKey', id: created.record.id },
      client,
      detail: { name: request.name, prefix: created.record.prefix, scopes: 'device', device: `${device.kind}:${device.id}` },
    });
    return created;
  }

  /** Revokes every key of a device (it is being deleted); the caller has checked that the principal may delete it. */
  async revokeForDevice(principal: Principal, device: DeviceBinding, client: AuditClient): Promise<number> {
    const count = await this.apiKeys.revokeByDevice(device);
    if (count > 0) {
      await this.audit.record({
        action: 'key.revoke',
        actor: actorOf(principal),
        target: { type: device.kind, id: device.id },
        client,
        detail: { device: `${device.kind}:${device.id}`, count },
      });
    }
    return count;
  }

  /** `mine`: the caller's keys (system callers: the system keys); `all`: every key, admins only. */
  async list(principal: Principal, owner: 'me' | 'all'): Promise<ApiKeyRecord[]> {
    if (owner === 'all') {
      if (!isAdmin(principal)) throw new ForbiddenError('Only admins may list every key');
      return this.apiKeys.list();
    }
    return this.apiKeys.listByOwner(principal.userId);
  }

  async revoke(principal: Principal, keyId: string, client: AuditClient): Promise<void> {
    const record = await this.apiKeys.findById(keyId);
    // Someone else's key is "not found", not "forbidden": ids of others' keys are not confirmed.
    if (!record || ((record.userId ?? null) !== principal.userId && !isAdmin(principal)))
      throw new NotFoundError(`API key ${keyId} does not exist`);
    if (record.revokedAt !== null) return;
    await this.apiKeys.revoke(record.id);
    await this.audit.record({
      action: 'key.revoke',
      actor: actorOf(principal),
      target: { type: 'apiKey', id: record.id },
      client,
      detail: { name: record.name, prefix: record.prefix },
    });
  }
}
