import { pageOf } from '../../db/keyset-page.ts';
import { mapPage, pageRequest } from '../../http/paging.ts';
import { InvalidInputError } from '../../errors.ts';
import { json, noContent, type HandlerTable } from '../../http/operation-types.ts';
import { requirePrincipal } from '../../http/security.ts';
import type { KeyManagement } from '../key-management.ts';
import { apiKeyDto } from './dto.ts';

type KeyHandlers = Pick<HandlerTable, 'listApiKeys' | 'createApiKey' | 'revokeApiKey'>;

export function keyHandlers(keys: KeyManagement): KeyHandlers {
  return {
    listApiKeys: async ({ query, principal }) => {
      const page = pageRequest('keys', query);
      const records = await keys.list(requirePrincipal(principal), query.owner ?? 'me', page);
      return json(
        200,
        mapPage(
          pageOf('keys', records, page.limit, (k) => k.id),
          apiKeyDto,
        ),
      );
    },
    createApiKey: async ({ body, principal, client }) => {
      const expiresAt = body.expiresAt === undefined ? null : Date.parse(body.expiresAt);
      if (Number.isNaN(expiresAt)) throw new InvalidInputError('expiresAt is not a date-time');
      const { key, record } = await keys.create(
        requirePrincipal(principal),
        { name: body.name, scopes: body.scopes, chargepoints: body.chargepoints ?? null, expiresAt },
        client,
      );
      return json(201, { key, apiKey: apiKeyDto(record) }, { 'Cache-Control': 'no-store' });
    },
    revokeApiKey: async ({ params, principal, client }) => {
      await keys.revoke(requirePrincipal(principal), params.keyId, client);
      return noContent();
    },
  };
}
