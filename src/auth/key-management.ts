import { listDetail } from '../audit/audit-detail.ts';
import type { AuditClient } from '../audit/audit.ts';
import { actorOf } from '../audit/audit.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { InvalidInputError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { ApiKeyService } from './api-key-service.ts';
import type { ApiKeyRecord, Scope } from './api-key.ts';
import type { Principal } from './principal.ts';
import { normalizeChargepoints } from './user.ts';
import type { PageRequest } from '../db/keyset-page.ts';

export interface KeyRequest {
  name: string;
  scopes: Scope[];
  chargepoints?: string[] | null;
  expiresAt?: number | null;
}

const isAdmin = (principal: Principal) => principal.scopes.includes('admin');

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
    if (principal.kind === 'apiKey' && !isAdmin(principal)) {
      throw new ForbiddenError('Create keys with an access token from /api/v1/auth/login (or an admin key), not with this API key');
    }
    const scopes = [...new Set(request.scopes)];
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

  /** `mine`: the caller's keys (system callers: the system keys); `all`: every key, admins only. */
  async list(principal: Principal, owner: 'me' | 'all', page?: PageRequest): Promise<ApiKeyRecord[]> {
    if (owner === 'all') {
      if (!isAdmin(principal)) throw new ForbiddenError('Only admins may list every key');
      return this.apiKeys.list(page);
    }
    return this.apiKeys.listByOwner(principal.userId, page);
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
