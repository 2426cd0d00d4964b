import { json, noContent, type HandlerTable } from '../../http/operation-types.ts';
import { requirePrincipal } from '../../http/security.ts';
import type { AuthService } from '../auth-service.ts';
import { principalDto } from './dto.ts';

const NO_STORE = { 'Cache-Control': 'no-store' };

type AuthHandlers = Pick<HandlerTable, 'login' | 'refreshToken' | 'logout' | 'getCurrentPrincipal' | 'changePassword'>;

export function authHandlers(auth: AuthService): AuthHandlers {
  return {
    login: async ({ body, client }) => json(200, await auth.login(body.username, body.password, client), NO_STORE),
    refreshToken: async ({ body, client }) => json(200, await auth.refresh(body.refreshToken, client), NO_STORE),
    logout: async ({ body, principal, client }) => {
      await auth.logout(requirePrincipal(principal), body?.refreshToken, client);
      return noContent();
    },
    getCurrentPrincipal: async ({ principal }) => json(200, principalDto(requirePrincipal(principal)), NO_STORE),
    changePassword: async ({ body, principal, client }) => {
      await auth.changePassword(requirePrincipal(principal), body.currentPassword, body.newPassword, client);
      return noContent();
    },
  };
}
