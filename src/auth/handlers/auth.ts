import { clientOf } from '../../http/client.ts';
import { json, noContent, type HandlerTable } from '../../http/operation-types.ts';
import { requirePrincipal } from '../../http/security.ts';
import type { AuthService } from '../auth-service.ts';
import { principalDto } from './dto.ts';

const NO_STORE = { 'Cache-Control': 'no-store' };

type AuthHandlers = Pick<HandlerTable, 'login' | 'refreshToken' | 'logout' | 'getCurrentPrincipal' | 'changePassword'>;

export function authHandlers(auth: AuthService): AuthHandlers {
  return {
    login: async ({ body, request }) => json(200, await auth.login(body.username, body.password, clientOf(request)), NO_STORE),
    refreshToken: async ({ body, request }) => json(200, await auth.refresh(body.refreshToken, clientOf(request)), NO_STORE),
    logout: async ({ body, principal, request }) => {
      await auth.logout(requirePrincipal(principal), body?.refreshToken, clientOf(request));
      return noContent();
    },
    getCurrentPrincipal: async ({ principal }) => json(200, principalDto(requirePrincipal(principal)), NO_STORE),
    changePassword: async ({ body, principal, request }) => {
      await auth.changePassword(requirePrincipal(principal), body.currentPassword, body.newPassword, clientOf(request));
      return noContent();
    },
  };
}
