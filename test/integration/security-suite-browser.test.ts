/** What browsers see: security headers, CORS only for configured origins, and Swagger UI under its CSP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthGateway } from '../support/auth.ts';
import type { TestGateway } from '../support/gateway.ts';

const APP = 'https://app.example.com';

describe('browser-facing security', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startAuthGateway({ store: 'memory', env: { CORS_ORIGINS: `${APP},http://localhost:5173` } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('locks API responses down: nothing may be loaded, framed or sniffed', async () => {
    const res = await gw.http.get('/api/v1/site').set('x-api-key', gw.readKey).expect(200);
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
    // HSTS comes from the TLS proxy (nginx.conf), which knows the site is HTTPS.
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const problem = await gw.http.get('/api/v1/site').expect(401);
    expect(problem.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('answers CORS preflights and requests only for configured origins', async () => {
    const preflight = await gw.http
      .options('/api/v1/chargepoints')
      .set('Origin', APP)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization')
      .expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP);
    expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
    expect(preflight.headers['access-control-allow-headers']).toContain('x-api-key');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    expect(preflight.headers.vary).toContain('Origin');

    const real = await gw.http.get('/api/v1/site').set('Origin', APP).set('x-api-key', gw.readKey).expect(200);
    expect(real.headers['access-control-allow-origin']).toBe(APP);
    expect(real.headers['access-control-expose-headers']).toContain('RateLimit-Remaining');

    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.net', 'null']) {
      const denied = await gw.http.options('/api/v1/chargepoints').set('Origin', origin).set('Access-Control-Request-Method', 'GET');
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
      const read = await gw.http.get('/api/v1/site').set('Origin', origin).set('x-api-key', gw.readKey);
      expect(read.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('sends no CORS headers at all when no origin is configured', async () => {
    const plain = await startAuthGateway({ store: 'memory' });
    try {
      const res = await plain.http.get('/api/v1/site').set('Origin', APP).set('x-api-key', plain.readKey).expect(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('serves Swagger UI under a same-origin CSP that its page satisfies', async () => {
    const page = await gw.http.get('/docs/').expect(200);
    const csp = page.headers['content-security-policy'] as string;
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['img-src']).toEqual(expect.arrayContaining(["'self'", 'data:']));
    expect(directives['style-src']).toEqual(expect.arrayContaining(["'self'", "'unsafe-inline'"]));
    expect(directives['upgrade-insecure-requests']).toBeUndefined();

    // Every script is an external same-origin file (no inline script for script-src 'self' to block) and loads.
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      const src = /src=["']([^"']+)["']/.exec(attributes!)?.[1];
      expect(body!.trim()).toBe('');
      expect(src).toMatch(/^\.\//);
      const asset = await gw.http.get(`/docs/${src!.slice(2)}`).expect(200);
      expect(asset.headers['content-type']).toContain('javascript');
    }
    for (const [, href] of page.text.matchAll(/<link[^>]+href=["']([^"']+)["']/g)) expect(href).toMatch(/^\.\//);
    // The init script points at our own spec, and the third-party validator badge is off.
    const init = await gw.http.get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"url": "/docs/openapi.json"');
    expect(init.text).toContain('"validatorUrl": null');
    const spec = await gw.http.get('/openapi.json').expect(200);
    expect(spec.body.components.securitySchemes.BearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    // Swagger UI's copy points "Try it out" at the origin serving the docs, the file at the local demo.
    const { port } = new URL(gw.gateway.url);
    const docsSpec = await gw.http.get('/docs/openapi.json').expect(200);
    const variables = (docsSpec.body.servers[0] as { variables: Record<string, { default: string }> }).variables;
    expect(Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, v.default]))).toEqual({
      scheme: 'http',
      host: '127.0.0.1',
      port,
    });
    expect(docsSpec.body.servers[0].url).toBe('{scheme}://{host}:{port}');
    expect(spec.body.servers[0].variables.port.default).toBe('8080');
  });
});
