import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi.ts';
import { unwrap } from './problem.ts';
import { Session, type TokensListener } from './session.ts';
import { openGatewayStream, type GatewayStream, type StreamOptions } from './stream.ts';
import type { TokenPair } from './types.ts';

export interface GatewayClientOptions {
  /** The gateway's origin, e.g. `https://gateway.example`: without `/api/v1`. */
  baseUrl: string;
  /** An API key (`x-api-key`); used until `login()` and again after `logout()`. */
  apiKey?: string;
  /** Tokens of an earlier login, as persisted from `onTokens`. */
  tokens?: TokenPair;
  /** Called after every login and refresh with the new tokens (the old refresh token no longer works), and with `undefined` when the session ended. */
  onTokens?: TokensListener;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

/** The typed openapi-fetch client of openapi.yaml (`GET`, `POST`, … by path), with authentication and the stream. */
export interface GatewayClient extends Client<paths> {
  /** Logs in with user name and password; later requests use the access token and renew it when it is refused. */
  login(username: string, password: string): Promise<TokenPair>;
  /** Ends the session on the gateway and forgets its tokens. */
  logout(): Promise<void>;
  /** Renews the tokens now (once, however many callers ask at the same time). */
  refresh(): Promise<TokenPair>;
  /** The current tokens of a login, undefined with an API key. */
  readonly tokens: TokenPair | undefined;
  /** Opens the live stream (`GET /api/v1/stream`), reconnecting with backoff and a fresh snapshot. */
  stream(options: StreamOptions): GatewayStream;
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const session = new Session(baseUrl, fetchImpl, options.apiKey, options.tokens, options.onTokens);
  const api = createClient<paths>({ baseUrl, fetch: session.fetch });

  const extras: Omit<GatewayClient, keyof Client<paths>> = {
    async login(username: string, password: string) {
      const tokens = unwrap(await api.POST('/api/v1/auth/login', { body: { username, password } }));
      await session.setTokens(tokens);
      return tokens;
    },
    async logout() {
      const refreshToken = session.current?.refreshToken;
      try {
        if (session.current) unwrap(await api.POST('/api/v1/auth/logout', { body: refreshToken ? { refreshToken } : {} }));
      } finally {
        await session.setTokens(undefined);
      }
    },
    refresh: () => session.refresh(),
    get tokens() {
      return session.current;
    },
    stream: (streamOptions: StreamOptions) =>
      openGatewayStream(
        {
          baseUrl,
          headers: () => session.headers(),
          renew: async () => (session.current ? (await session.refresh(), true) : false),
          ticket: async () => unwrap(await api.POST('/api/v1/stream/tickets')).ticket,
        },
        streamOptions,
      ),
  };
  // Property descriptors, not Object.assign, which would copy the value of the `tokens` getter once.
  return Object.defineProperties(api, Object.getOwnPropertyDescriptors(extras)) as GatewayClient;
}
