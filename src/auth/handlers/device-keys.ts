import type { AuditClient } from '../../audit/audit.ts';
import type { Schemas } from '../../api/types.ts';
import { InvalidInputError } from '../../errors.ts';
import { json } from '../../http/operation-types.ts';
import type { DeviceBinding } from '../api-key.ts';
import type { KeyManagement } from '../key-management.ts';
import type { Principal } from '../principal.ts';
import { apiKeyDto } from './dto.ts';

/**
 * The body of `POST /api/v1/meters/{meterId}/keys` and `POST /api/v1/series/{seriesId}/keys`: 201 with the
 * key shown once (the same `CreatedApiKey` as `POST /api/v1/keys`). The device's handler has found the
 * device (404 otherwise) and passes its owner; ownership is checked here.
 */
export async function createDeviceKey(
  keys: KeyManagement,
  principal: Principal,
  device: DeviceBinding,
  ownerId: string | null,
  body: Schemas['NewDeviceKey'],
  client: AuditClient,
) {
  const expiresAt = body.expiresAt === undefined ? null : Date.parse(body.expiresAt);
  if (Number.isNaN(expiresAt)) throw new InvalidInputError('expiresAt is not a date-time');
  const { key, record } = await keys.createForDevice(principal, device, ownerId, { name: body.name, expiresAt }, client);
  return json(201, { key, apiKey: apiKeyDto(record) }, { 'Cache-Control': 'no-store' });
}
