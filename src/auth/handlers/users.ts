import { pageOf } from '../../db/keyset-page.ts';
import { mapPage, pageRequest } from '../../http/paging.ts';
import { listDetail } from '../../audit/audit-detail.ts';
import { actorOf, type AuditClient } from '../../audit/audit.ts';
import type { AuditService } from '../../audit/audit-service.ts';
import { json, noContent, type HandlerTable } from '../../http/operation-types.ts';
import type { Principal } from '../principal.ts';
import type { UserService } from '../user-service.ts';
import { userDto } from './dto.ts';

type UserHandlers = Pick<HandlerTable, 'listUsers' | 'createUser' | 'getUser' | 'updateUser' | 'deleteUser'>;

export function userHandlers(users: UserService, audit: AuditService): UserHandlers {
  const record = (
    action: string,
    principal: Principal | undefined,
    userId: string,
    client: AuditClient,
    detail?: Record<string, string | boolean>,
  ) => audit.record({ action, actor: actorOf(principal), target: { type: 'user', id: userId }, client, ...(detail ? { detail } : {}) });

  return {
    listUsers: async ({ query }) => {
      const page = pageRequest('users', query);
      return json(
        200,
        mapPage(
          pageOf('users', await users.list(page), page.limit, (u) => u.id),
          userDto,
        ),
      );
    },
    getUser: async ({ params }) => json(200, userDto(await users.get(params.userId))),
    createUser: async ({ body, principal, client }) => {
      const user = await users.create(body);
      await record('user.create', principal, user.id, client, {
        name: user.name,
        role: user.role,
        chargepoints: listDetail(user.chargepoints, 'chargepoints'),
      });
      return json(201, userDto(user));
    },
    updateUser: async ({ params, body, principal, client }) => {
      const user = await users.update(params.userId, body);
      const detail: Record<string, string | boolean> = {};
      if (body.role !== undefined) detail.role = body.role;
      if (body.chargepoints !== undefined) detail.chargepoints = listDetail(user.chargepoints, 'chargepoints');
      if (body.disabled !== undefined) detail.disabled = body.disabled;
      if (body.password !== undefined) detail.password = 'changed';
      await record('user.update', principal, user.id, client, detail);
      return json(200, userDto(user));
    },
    deleteUser: async ({ params, principal, client }) => {
      const user = await users.get(params.userId);
      await users.delete(user.id);
      await record('user.delete', principal, user.id, client, { name: user.name });
      return noContent();
    },
  };
}
