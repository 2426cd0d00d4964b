import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPublisher, eventually, startTestGateway, type TestGateway } from '../support/gateway.ts';

const PROBLEM = 'application/problem+json';

describe('API credentials, scopes and bad input (response validation on)', () => {
  let gw: TestGateway;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;
  let controlKey: string;
  let expiredKey: string;
  let revokedKey: string;

  beforeAll(async () => {
    gw = await startTestGateway({ store: 'memory' });
    publisher = await openPublisher(gw.topicPrefix);
    await publisher.publish('openWB/chargepoint/3/get/power', '0');
    controlKey = (await gw.gateway.apiKeys.create({ name: 'control-only', scopes: ['control'] })).key;
    expiredKey = (await gw.gateway.apiKeys.create({ name: 'expired', scopes: ['read'], expiresAt: Date.now() - 1_000 })).key;
    const revoked = await gw.gateway.apiKeys.create({ name: 'revoked', scopes: ['read'] });
    revokedKey = revoked.key;
    await gw.gateway.apiKeys.revoke(revoked.record.id);
    await eventually(async () =>
      (await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.readKey)).status === 200 ? true : undefined,
    );
  });

  afterAll(async () => {
    await publisher?.close();
    await gw?.close();
  });

  it.each([
    ['no key', undefined],
    ['a malformed key', 'hello'],
    ['a well-formed unknown key', `owg_abcdefgh_${'A'.repeat(43)}`],
  ])('answers 401 problem+json for %s', async (_label, key) => {
    const req = gw.http.get('/api/v1/chargepoints');
    const res = await (key ? req.set('x-api-key', key) : req).expect(401);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.headers['www-authenticate']).toContain('x-api-key');
    expect(res.body).toMatchObject({ type: '/problems/unauthorized', status: 401, title: 'Unauthorized' });
  });

  it('answers 401 for expired and revoked keys', async () => {
    await gw.http.get('/api/v1/site').set('x-api-key', expiredKey).expect(401);
    await gw.http.get('/api/v1/site').set('x-api-key', revokedKey).expect(401);
  });

  it('checks credentials before parameters (401, not 400, for a bad id without a key)', async () => {
    await gw.http.get('/api/v1/chargepoints/not%20valid!').expect(401);
  });

  it('answers 403 problem+json for a key without the needed scope', async () => {
    const res = await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', controlKey).expect(403);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body).toMatchObject({ type: '/problems/forbidden', status: 403 });
    expect(res.body.detail).toContain('read');
  });

  it('lets an admin key read', async () => {
    await gw.http.get('/api/v1/chargepoints/3').set('x-api-key', gw.adminKey).expect(200);
  });

  it('answers 404 problem+json for an unknown chargepoint and vehicle', async () => {
    const res = await gw.http.get('/api/v1/chargepoints/99').set('x-api-key', gw.readKey).expect(404);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body).toMatchObject({ type: '/problems/not-found', status: 404, instance: '/api/v1/chargepoints/99' });
    await gw.http.get('/api/v1/vehicles/42').set('x-api-key', gw.readKey).expect(404);
  });

  it('answers 400 problem+json naming the bad parameter', async () => {
    const res = await gw.http
      .get(`/api/v1/chargepoints/${'x'.repeat(40)}`)
      .set('x-api-key', gw.readKey)
      .expect(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.type).toBe('/problems/validation');
    expect(res.body.errors[0].path).toContain('chargepointId');
    const bad = await gw.http.get('/api/v1/chargepoints/a$b').set('x-api-key', gw.readKey).expect(400);
    expect(bad.body.errors[0].path).toContain('chargepointId');
  });

  it('answers 400 for unknown query parameters', async () => {
    const res = await gw.http.get('/api/v1/site?foo=1').set('x-api-key', gw.readKey).expect(400);
    expect(res.body.errors[0].path).toContain('foo');
  });

  it('answers 404 and 405 problem+json for routes outside the spec', async () => {
    const notFound = await gw.http.get('/api/v1/nothing-here').set('x-api-key', gw.readKey).expect(404);
    expect(notFound.headers['content-type']).toContain(PROBLEM);
    const wrongMethod = await gw.http.delete('/api/v1/site').set('x-api-key', gw.readKey);
    expect([401, 405]).toContain(wrongMethod.status);
    expect(wrongMethod.headers['content-type']).toContain(PROBLEM);
  });

  it('rejects a broken JSON body with 400, not 500', async () => {
    const res = await gw.http.post('/api/v1/site').set('x-api-key', gw.readKey).set('content-type', 'application/json').send('{"a":');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['content-type']).toContain(PROBLEM);
  });

  it('keeps /metrics behind an admin key by default', async () => {
    await gw.http.get('/metrics').expect(401);
    await gw.http.get('/metrics').set('x-api-key', gw.readKey).expect(403);
    const res = await gw.http.get('/metrics').set('x-api-key', gw.adminKey).expect(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket{');
    expect(res.text).toMatch(/operation="getChargePoint"/);
    expect(res.text).toContain('openwb_mqtt_messages_total');
    expect(res.text).toContain('openwb_mqtt_decode_errors_total');
    expect(res.text).toContain('live_store_operation_duration_seconds');
  });

  it('serves the health probes, the spec and the docs without credentials', async () => {
    await gw.http.get('/health/live').expect(200, { status: 'ok' });
    const ready = await gw.http.get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      checks: { broker: { ok: true }, liveStore: { ok: true }, database: { ok: true } },
    });
    const spec = await gw.http.get('/openapi.json').expect(200);
    expect(spec.body.paths['/api/v1/chargepoints/{chargepointId}'].get.operationId).toBe('getChargePoint');
    const yaml = await gw.http.get('/openapi.yaml').expect(200);
    expect(yaml.text).toContain('openapi: 3.0.3');
    const docs = await gw.http.get('/docs/').expect(200);
    expect(docs.text).toContain('swagger-ui');
  });
});
