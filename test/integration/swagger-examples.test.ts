/**
 * Swagger UI's "Try it out" with what it pre-fills from openapi.yaml, against a gateway in demo mode: every
 * operation answers a documented success status. Only what no example can know is typed in, as a user
 * would: ids of things made first (a user, a key, a profile, a command, a session), and credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/gateway.ts';
import { startDemoGateway, type DemoGateway } from '../support/demo-gateway.ts';
import { specOperations } from '../support/spec-requests.ts';
import { swaggerRequest, type PrefilledRequest } from '../support/swagger-requests.ts';
import { loadSpec } from '../../src/spec.ts';

type Json = Record<string, unknown>;
const document = loadSpec().document as unknown as { paths: Record<string, Record<string, { responses: Json }>> };

describe("Swagger UI's pre-filled requests against the demo", () => {
  let demo: DemoGateway;
  const typed: Record<string, string> = {};
  let password = '';
  let refreshToken = '';
  let accessToken = '';

  beforeAll(async () => {
    demo = await startDemoGateway();
    const as = { 'x-api-key': '' };
    as['x-api-key'] = demo.key;
    password = 'a long demo password';
    const user = await demo.http.post('/api/v1/users').set(as).send({ name: 'swagger', role: 'admin', password }).expect(201);
    typed.userId = user.body.id;
    const key = await demo.http
      .post('/api/v1/keys')
      .set(as)
      .send({ name: 'swagger', scopes: ['read'] })
      .expect(201);
    typed.keyId = key.body.apiKey.id;
    const profile = await demo.http
      .post('/api/v1/profiles')
      .set(as)
      .send({ name: 'swagger', userId: typed.userId, tags: ['SWAGGER1'] })
      .expect(201);
    typed.profileId = profile.body.id;
    const command = await demo.http.put('/api/v1/chargepoints/3/lock').set(as).set('Prefer', 'respond-async').send({ locked: false });
    typed.commandId = command.body.id;
    const login = await demo.http.post('/api/v1/auth/login').send({ username: 'swagger', password }).expect(200);
    refreshToken = login.body.refreshToken;
    accessToken = login.body.accessToken;
    // A session to look at: the simulator's plugged-in car starts one at the recorder's first ticks.
    typed.sessionId = await eventually(
      async () => (await demo.http.get('/api/v1/sessions?limit=1').set(as)).body.items[0]?.id as string | undefined,
      20_000,
      'a charging session',
    );
  }, 60_000);
  afterAll(async () => {
    await demo?.close();
  });

  const operations = specOperations().filter((o) => o.operationId !== 'openStream');
  // Destructive operations last, so the others still find what they delete.
  const order = (id: string) => (id === 'deleteUser' ? 2 : /^(delete|revoke|logout)/.test(id) ? 1 : 0);
  operations.sort((a, b) => order(a.operationId) - order(b.operationId));

  it.each(operations.map((o) => [o.operationId, o] as const))('%s', async (_id, operation) => {
    const request: PrefilledRequest = swaggerRequest(operation);
    let path = request.path;
    for (const name of request.unfilled) {
      expect(typed[name], `${operation.operationId}: required ${name} has no example`).toBeDefined();
      path = path.replace(`{${name}}`, typed[name]!);
    }
    for (const name of ['userId', 'keyId', 'profileId', 'commandId', 'sessionId']) {
      const param = operation.parameters.find((p) => p.in === 'path' && p.name === name);
      if (param) path = path.replace(/\/[0-9a-f-]{36}(?=\/|$)/, `/${typed[name]!}`);
    }
    let body = request.body;
    // A profile's owner: the user pastes a user id (the example's id exists in no installation).
    if (body && typeof body === 'object' && 'userId' in body) body = { ...body, userId: typed.userId };
    // The SoC of the chargepoint's vehicle: after setChargePointVehicle chose the e-Golf (manual SoC), once openWB shows it.
    if (operation.operationId === 'setChargePointVehicleSoc')
      await eventually(async () =>
        (await demo.http.get('/api/v1/chargepoints/3').set('x-api-key', demo.key)).body.vehicle?.id === '1' ? true : undefined,
      );
    if (operation.operationId === 'login') body = { username: 'swagger', password };
    if (operation.operationId === 'refreshToken' || operation.operationId === 'logout') body = { refreshToken };
    if (operation.operationId === 'changePassword') body = { currentPassword: password, newPassword: `${password} 2` };
    const query = new URLSearchParams(request.query).toString();
    const url = query ? `${path}?${query}` : path;
    let call = demo.http[operation.method](url).set(request.headers);
    // Changing one's password needs an access token (Swagger UI: log in, then "Authorize" with the token).
    if (operation.operationId === 'changePassword') call = call.set('Authorization', `Bearer ${accessToken}`);
    else if (operation.security.length > 0) call = call.set('x-api-key', demo.key);
    if (body !== undefined) call = call.send(body as object);
    const res = await call;
    const documented = Object.keys(document.paths[operation.path]![operation.method]!.responses).filter((s) => /^2/.test(s));
    // The next operations on a profile take the one the example made (its tag is taken now), as a user would.
    if (operation.operationId === 'createProfile' && res.status === 201) typed.profileId = res.body.id;
    const outcome = documented.includes(String(res.status)) ? 'documented success' : `${res.status} ${res.text}`;
    if (outcome !== 'documented success')
      throw new Error(`${operation.method.toUpperCase()} ${url} ${JSON.stringify(body) ?? ''}: ${outcome.slice(0, 600)}`);
  });
});
