/**
 * Calls built from openapi.yaml for suites that sweep every operation (Swagger UI's examples, the contract
 * coverage, the fuzzer), sent with fetch and checked against the spec like every test response.
 */
import { listOperations } from '../../src/http/spec-operations.ts';
import { loadSpec } from '../../src/spec.ts';
import { eventually } from './gateway.ts';
import type { DemoGateway } from './demo-gateway.ts';
import { contractViolation } from './response-contract.ts';
import type { SpecOperationInfo } from './spec-requests.ts';
import { swaggerRequest } from './swagger-requests.ts';

export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** A string is sent as it is (with the caller's Content-Type); anything else as JSON. */
  body?: unknown;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** What no example can know, made in the demo first as a user would: ids to paste, credentials. */
export interface DemoIds {
  ids: Record<string, string>;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function prepareDemo(demo: DemoGateway, name = 'swagger'): Promise<DemoIds> {
  const as = { 'x-api-key': demo.key };
  const password = `a long ${name} password`;
  const ids: Record<string, string> = {};
  ids.userId = (await demo.http.post('/api/v1/users').set(as).send({ name, role: 'admin', password }).expect(201)).body.id;
  ids.keyId = (
    await demo.http
      .post('/api/v1/keys')
      .set(as)
      .send({ name, scopes: ['read'] })
      .expect(201)
  ).body.apiKey.id;
  const tag = `${name.toUpperCase()}1`;
  ids.profileId = (
    await demo.http
      .post('/api/v1/profiles')
      .set(as)
      .send({ name, userId: ids.userId, tags: [tag] })
      .expect(201)
  ).body.id;
  ids.commandId = (
    await demo.http.put('/api/v1/chargepoints/3/lock').set(as).set('Prefer', 'respond-async').send({ locked: false })
  ).body.id;
  // A pulse meter and its device key: the smartmeter's compatibility paths name no meter, the key does.
  ids.meterId = (await demo.http.post('/api/v1/meters').set(as).send({ name, energyPerPulseWh: 13.333 }).expect(201)).body.id;
  ids.meterKey = (await demo.http.post(`/api/v1/meters/${ids.meterId}/keys`).set(as).send({ name }).expect(201)).body.key;
  // A measurement series with a point: the examples' series and point id 1 (the wire mode's integer ids).
  ids.seriesId = (
    await demo.http
      .post('/api/v1/series')
      .set(as)
      .send({ description: name, deviceId: name, units: { temp_C: '°C' } })
      .expect(201)
  ).body.id;
  await demo.http
    .post(`/api/v1/series/${ids.seriesId}/points`)
    .set(as)
    .send({ points: [{ fields: { temp_C: 13.5 } }] })
    .expect(201);
  const login = await demo.http.post('/api/v1/auth/login').send({ username: name, password }).expect(200);
  // A session to look at: the simulator's plugged-in car starts one at the recorder's first ticks.
  ids.sessionId = await eventually(
    async () => (await demo.http.get('/api/v1/sessions?limit=1').set(as)).body.items[0]?.id as string | undefined,
    20_000,
    'a charging session',
  );
  return { ids, username: name, password, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}

/** The operation as Swagger UI pre-fills it, with the ids and credentials a user would type in. */
export function swaggerCall(operation: SpecOperationInfo, demo: DemoIds, key: string): Call {
  const request = swaggerRequest(operation);
  let path = request.path;
  for (const name of request.unfilled) path = path.replace(`{${name}}`, demo.ids[name] ?? `{${name}}`);
  for (const name of ['userId', 'keyId', 'profileId', 'commandId', 'sessionId', 'meterId']) {
    if (operation.parameters.some((p) => p.in === 'path' && p.name === name))
      path = path.replace(/\/[0-9a-f-]{36}(?=\/|$)/, `/${demo.ids[name]!}`);
  }
  let body = request.body;
  // A profile's owner: the user pastes a user id (the example's id exists in no installation).
  if (body && typeof body === 'object' && 'userId' in body) body = { ...body, userId: demo.ids.userId };
  if (operation.operationId === 'login') body = { username: demo.username, password: demo.password };
  if (operation.operationId === 'refreshToken' || operation.operationId === 'logout') body = { refreshToken: demo.refreshToken };
  if (operation.operationId === 'changePassword') body = { currentPassword: demo.password, newPassword: `${demo.password} 2` };
  const query = new URLSearchParams(request.query).toString();
  const headers: Record<string, string> = { ...request.headers };
  // Changing one's password needs an access token (Swagger UI: log in, then "Authorize" with the token).
  if (operation.operationId === 'changePassword') headers.authorization = `Bearer ${demo.accessToken}`;
  else if (operation.path.startsWith('/pulse-meter/')) headers['x-api-key'] = demo.ids.meterKey!;
  else if (operation.security.length > 0) headers['x-api-key'] = key;
  return { method: operation.method, url: query ? `${path}?${query}` : path, headers, body };
}

/** What a user waits for before trying an operation whose example depends on an earlier one. */
export async function settle(demo: DemoGateway, operationId: string): Promise<void> {
  // The SoC of the chargepoint's vehicle: after setChargePointVehicle chose the e-Golf (manual SoC), once openWB shows it.
  if (operationId === 'setChargePointVehicleSoc')
    await eventually(async () =>
      (await demo.http.get('/api/v1/chargepoints/3').set('x-api-key', demo.key)).body.vehicle?.id === '1' ? true : undefined,
    );
}

/** What a user takes from a reply for the next operations: the profile the example made (its tag is taken now). */
export function remember(demo: DemoIds, operationId: string, reply: Reply): void {
  if (operationId === 'createProfile' && reply.status === 201) demo.ids.profileId = (JSON.parse(reply.text) as { id: string }).id;
}

export async function send(base: string, call: Call, timeoutMs = 10_000): Promise<Reply> {
  const json = call.body !== undefined && typeof call.body !== 'string';
  const headers = { ...(json ? { 'content-type': 'application/json' } : {}), ...call.headers };
  const res = await fetch(base + call.url, {
    method: call.method.toUpperCase(),
    headers,
    body: call.body === undefined ? undefined : json ? JSON.stringify(call.body) : (call.body as string),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), text };
}

/** Why the reply breaks openapi.yaml, or undefined. */
export function violationOf(call: Call, reply: Reply): string | undefined {
  let body: unknown;
  try {
    body = reply.text ? JSON.parse(reply.text) : undefined;
  } catch {
    body = undefined;
  }
  try {
    return contractViolation(call.method, call.url, { ...reply, body });
  } catch (error) {
    return `unparseable body: ${(error as Error).message}`;
  }
}

const document = loadSpec().document;
const routes = listOperations(document)
  .map((o) => ({ ...o, pattern: new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`), params: (o.path.match(/\{/g) ?? []).length }))
  .sort((a, b) => a.params - b.params);

/** The operation a request reaches (HEAD reaches GET's), or undefined. */
export function operationOf(method: string, url: string): string | undefined {
  const path = new URL(url, 'http://gateway').pathname;
  const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  return routes.find((r) => r.method === verb && r.pattern.test(path))?.operationId;
}
