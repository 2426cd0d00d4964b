/** Helpers for the security suites: users, logins, tokens, and a gateway with fast password hashing. */
import type { Role } from '../../src/auth/principal.ts';
import { generatePassword } from '../../src/auth/password.ts';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from './gateway.ts';

/** The cheapest accepted scrypt cost: tests hash many passwords. */
export const FAST_KDF = { PASSWORD_SCRYPT_LOG_N: '15' };

export function startAuthGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  return startTestGateway({ ...options, env: { ...FAST_KDF, ...options.env } });
}

export interface TestUser {
  id: string;
  name: string;
  password: string;
}

export async function addUser(gw: TestGateway, name: string, role: Role, chargepoints: string[] = []): Promise<TestUser> {
  const password = generatePassword();
  const user = await gw.gateway.auth.users.create({ name, role, password, chargepoints });
  return { id: user.id, name: user.name, password };
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export async function login(gw: TestGateway, user: Pick<TestUser, 'name' | 'password'>): Promise<Tokens> {
  const res = await gw.http.post('/api/v1/auth/login').send({ username: user.name, password: user.password });
  if (res.status !== 200) throw new Error(`login as ${user.name} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as Tokens;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Splits a JWT into its decoded header and payload and its signature (no verification). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload), signature };
}

export function encodeJwt(header: object, payload: object, signature: string): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}
