/**
 * Every error the gateway, Express or Node's HTTP parser answers is problem+json within the spec's Problem
 * schema: hostile paths are cut, never echoed whole; header overflows and broken requests too (raw sockets).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractViolation } from '../support/response-contract.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const PROBLEM = 'application/problem+json';

/** One raw HTTP/1.1 exchange: what Node's parser answers before any middleware runs. */
async function raw(url: string, request: string): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  const { hostname, port } = new URL(url);
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  const [head = '', text = ''] = reply.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.split(':')[0]!.toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, text };
}

describe('error bodies inside the spec', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ store: 'memory' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers a path parameter over its maxLength with 400 naming it, not 404', async () => {
    const res = await gw.http
      .get(`/api/v1/chargepoints/${'x'.repeat(5000)}`)
      .set('x-api-key', gw.readKey)
      .expect(400);
    expect(res.body).toMatchObject({ type: '/problems/validation', status: 400 });
    expect(res.body.errors[0].path).toBe('/params/chargepointId');
    expect(res.text.length).toBeLessThan(2000);
  });

  it('never echoes more than a bounded part of an unknown path', async () => {
    const res = await gw.http
      .get(`/api/v1/nothing/${'y'.repeat(12_000)}`)
      .set('x-api-key', gw.readKey)
      .expect(404);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.detail.length).toBeLessThanOrEqual(300);
    expect(res.body.instance.length).toBeLessThanOrEqual(300);
    expect(res.text.length).toBeLessThan(1000);
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await gw.http.head('/api/v1/site').set('x-api-key', gw.readKey).expect(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.text ?? '').toBe('');
    await gw.http.head('/api/v1/site').expect(401);
  });

  it('answers a method the path lacks with 405 and Allow', async () => {
    const res = await gw.http.delete('/api/v1/site').set('x-api-key', gw.adminKey).expect(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.headers['content-type']).toContain(PROBLEM);
  });

  it('answers too large (413) and non-JSON (415) bodies with problem+json', async () => {
    const big = await gw.http
      .post('/api/v1/keys')
      .set('x-api-key', gw.adminKey)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(100_000) }))
      .expect(413);
    expect(big.body).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
    const text = await gw.http.post('/api/v1/keys').set('x-api-key', gw.adminKey).set('content-type', 'text/plain').send('hi').expect(415);
    expect(text.body).toMatchObject({ type: '/problems/unsupported-media-type', status: 415 });
  });

  it("answers headers over Node's limit with 431 problem+json, and a broken request with 400 problem+json", async () => {
    const overflow = await raw(gw.gateway.url, `GET /api/v1/site HTTP/1.1\r\nHost: x\r\nX-Big: ${'z'.repeat(20_000)}\r\n\r\n`);
    expect(overflow.status).toBe(431);
    expect(overflow.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(overflow.text)).toMatchObject({ type: '/problems/request-header-fields-too-large', status: 431 });
    expect(contractViolation('get', '/api/v1/site', { ...overflow, body: JSON.parse(overflow.text) })).toBeUndefined();

    const broken = await raw(gw.gateway.url, 'GET /api/v1/site HTTP/1.1\r\nHost x\r\n\r\n');
    expect(broken.status).toBe(400);
    expect(broken.headers['content-type']).toBe(PROBLEM);
    expect(contractViolation('get', '/api/v1/site', { ...broken, body: JSON.parse(broken.text) })).toBeUndefined();
  });
});
