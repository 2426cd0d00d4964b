import { pageOf } from '../db/keyset-page.ts';
import { mapPage, pageRequest } from '../http/paging.ts';
import { json, noContent, type HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import { profileDto } from './model.ts';
import type { ProfileService } from './profile-service.ts';
import type { RfidEventRepository } from './rfid-event-repository.ts';

type ProfileHandlers = Pick<
  HandlerTable,
  'listProfiles' | 'createProfile' | 'getProfile' | 'updateProfile' | 'deleteProfile' | 'listRfidEvents'
>;

const NO_STORE = { 'Cache-Control': 'no-store' };

export function profileHandlers(profiles: ProfileService, events: Pick<RfidEventRepository, 'list'>): ProfileHandlers {
  return {
    listProfiles: async ({ query, principal }) => {
      const page = pageRequest('profiles', query);
      const records = await profiles.list(requirePrincipal(principal), query.user, page);
      return json(
        200,
        mapPage(
          pageOf('profiles', records, page.limit, (p) => p.id),
          profileDto,
        ),
        NO_STORE,
      );
    },
    createProfile: async ({ body, principal, client }) =>
      json(201, profileDto(await profiles.create(requirePrincipal(principal), body, client)), NO_STORE),
    getProfile: async ({ params, principal }) =>
      json(200, profileDto(await profiles.get(requirePrincipal(principal), params.profileId)), NO_STORE),
    updateProfile: async ({ params, body, principal, client }) =>
      json(200, profileDto(await profiles.update(requirePrincipal(principal), params.profileId, body, client)), NO_STORE),
    deleteProfile: async ({ params, principal, client }) => {
      await profiles.delete(requirePrincipal(principal), params.profileId, client);
      return noContent();
    },
    listRfidEvents: async ({ query, principal }) => {
      const caller = requirePrincipal(principal);
      const page = await events.list({
        userId: caller.role === 'admin' ? undefined : (caller.userId ?? '-'),
        chargepointId: query.chargepoint,
        outcome: query.outcome,
        cursor: query.cursor,
        limit: query.limit ?? 50,
      });
      return json(200, page, NO_STORE);
    },
  };
}
