import { GatewayProblem, problemOf } from './problem.ts';
import type { TokenPair } from './types.ts';

/** Called with the new tokens after a login or refresh, and with `undefined` when the session ended: persist them. */
export type TokensListener = (tokens: TokenPair | undefined) => void | Promise<void>;

const AUTH_PATHS = ['/api/v1/auth/login', '/api/v1/auth/refresh'];

/**
 * The credentials of one client: an API key, or a login's tokens whose refresh token rotates. A refresh runs once
 * however many requests fail with 401 at the same time; they all wait for it and are sent again with the new token.
 */
export class Session {
  private tokens: TokenPair | undefined;
  private refreshing: Promise<TokenPair> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch,
    private readonly apiKey: string | undefined,
    tokens: TokenPair | undefined,
    private readonly onTokens: TokensListener | undefined,
  ) {
    this.tokens = tokens;
  }

  get current(): TokenPair | undefined {
    return this.tokens;
  }

  /** The headers that authenticate a request right now. */
  headers(): Record<string, string> {
    if (this.tokens) return { Authorization: `Bearer ${this.tokens.accessToken}` };
    if (this.apiKey) return { 'x-api-key': this.apiKey };
    return {};
  }

  async setTokens(tokens: TokenPair | undefined): Promise<void> {
    this.tokens = tokens;
    await this.onTokens?.(tokens);
  }

  /** Trades the refresh token for a new pair (once for all callers waiting at the same time). */
  refresh(): Promise<TokenPair> {
    this.refreshing ??= this.rotate().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async rotate(): Promise<TokenPair> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) throw new Error('No refresh token: log in first');
    const response = await this.fetchImpl(`${this.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      // A refused refresh token (expired, revoked, reused) ends the session; a 429 or 503 leaves it to retry later.
      if (response.status === 401) await this.setTokens(undefined);
      throw new GatewayProblem(problemOf(body, response), response);
    }
    const tokens = body as TokenPair;
    await this.setTokens(tokens);
    return tokens;
  }

  /** A `fetch` that authenticates each request and, for a session, refreshes once on 401 and sends it again. */
  readonly fetch = async (request: Request): Promise<Response> => {
    // Login and refresh are public: they carry no key or token, and their 401 is the answer, not a cue to refresh.
    if (AUTH_PATHS.includes(new URL(request.url).pathname)) return this.fetchImpl(request);
    const retry = request.clone();
    const used = this.tokens;
    const response = await this.fetchImpl(this.authenticate(request));
    if (response.status !== 401 || !used) return response;
    // Another request may have refreshed meanwhile: then only send this one again with the newer token.
    if (this.tokens === used) {
      try {
        await this.refresh();
      } catch {
        return response;
      }
    }
    await response.body?.cancel();
    return this.fetchImpl(this.authenticate(retry));
  };

  private authenticate(request: Request): Request {
    for (const [name, value] of Object.entries(this.headers())) {
      if (!request.headers.has(name)) request.headers.set(name, value);
    }
    return request;
  }
}
