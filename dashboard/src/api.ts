import { createGatewayClient, unwrap, type GatewayClient, type TokenPair } from '../../sdk/src/index.ts';
import type { Schemas } from './schemas.ts';

export type { Schemas } from './schemas.ts';
export type Principal = Schemas['CurrentPrincipal'];

/**
 * Where the page keeps its credentials (SECURITY.md, "The dashboard"): the access token only in memory; the
 * refresh token (or an API key) in sessionStorage, so that a reload of the tab stays signed in but closing the tab
 * signs out, and no other tab or later visit finds it.
 */
const REFRESH_TOKEN = 'owg.refreshToken';
const API_KEY = 'owg.apiKey';

export interface SignedIn {
  gw: GatewayClient;
  /** Who is signed in; a restored sign-in asks while the stream already connects (first values sooner). */
  principal: Promise<Principal>;
}

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

function persistTokens(tokens: TokenPair | undefined): void {
  if (tokens) storage()?.setItem(REFRESH_TOKEN, tokens.refreshToken);
  else storage()?.removeItem(REFRESH_TOKEN);
}

let onSessionEnded: () => void = () => {};
/** Called when a refresh is refused (expired, revoked): the page asks for a new sign-in. */
export function whenSessionEnds(listener: () => void): void {
  onSessionEnded = listener;
}

function client(options: { apiKey?: string; tokens?: TokenPair }): GatewayClient {
  return createGatewayClient({
    baseUrl: window.location.origin,
    ...options,
    onTokens: (tokens) => {
      persistTokens(tokens);
      if (!tokens) onSessionEnded();
    },
  });
}

async function principalOf(gw: GatewayClient): Promise<Principal> {
  return unwrap(await gw.GET('/api/v1/auth/me'));
}

export async function signInWithPassword(username: string, password: string): Promise<SignedIn> {
  const gw = client({});
  await gw.login(username, password);
  storage()?.removeItem(API_KEY);
  return { gw, principal: principalOf(gw) };
}

export async function signInWithApiKey(apiKey: string): Promise<SignedIn> {
  const gw = client({ apiKey });
  // Checked before it is kept: a mistyped key is refused on the sign-in form.
  const principal = await principalOf(gw);
  storage()?.setItem(API_KEY, apiKey);
  storage()?.removeItem(REFRESH_TOKEN);
  return { gw, principal: Promise.resolve(principal) };
}

/** The sign-in of this tab before a reload: the refresh token is traded for a new pair (it rotates), or the key is checked. */
export async function restoreSignIn(): Promise<SignedIn | undefined> {
  const apiKey = storage()?.getItem(API_KEY);
  const refreshToken = storage()?.getItem(REFRESH_TOKEN);
  try {
    if (apiKey) {
      const gw = client({ apiKey });
      return { gw, principal: principalOf(gw) };
    }
    if (refreshToken) {
      const gw = client({ tokens: { accessToken: '', refreshToken, expiresIn: 1 } });
      await gw.refresh();
      return { gw, principal: principalOf(gw) };
    }
  } catch {
    forgetSignIn();
  }
  return undefined;
}

export function forgetSignIn(): void {
  storage()?.removeItem(API_KEY);
  storage()?.removeItem(REFRESH_TOKEN);
}

export async function signOut(gw: GatewayClient): Promise<void> {
  try {
    if (gw.tokens) await gw.logout();
  } finally {
    forgetSignIn();
  }
}

/** Whether these credentials may send commands to this chargepoint (the gateway checks again: this only hides controls). */
export function canControl(principal: Principal, chargepointId: string): boolean {
  const scoped = principal.scopes.includes('control') || principal.scopes.includes('admin');
  return scoped && (principal.chargepoints === null || principal.chargepoints.includes(chargepointId));
}

/** The `detail` (else `title`) of a problem the SDK threw, for a message on screen. */
export function problemText(error: unknown): string {
  if (error && typeof error === 'object') {
    const detail = Reflect.get(error, 'detail') ?? Reflect.get(error, 'title');
    if (typeof detail === 'string' && detail) return detail;
    if (error instanceof Error) return error.message;
  }
  return String(error);
}
