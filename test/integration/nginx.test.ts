/**
 * The repository's nginx.conf in a real nginx: TLS, HSTS, redirect, proxy headers, WebSocket upgrade,
 * body limit, gzip, the login limit and the hidden /metrics. Upstream: a recording pass-through proxy in
 * front of a real test gateway (so what nginx sends upstream can be checked) and a WebSocket echo
 * server standing in for the stream.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import tls from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import {
  generateCertificate,
  NGINX_CONF,
  nginxWorkers,
  renderTestConfig,
  startNginx,
  startRecordingProxy,
  startWebSocketEcho,
  type RunningNginx,
} from '../support/nginx.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

const BIG_JSON = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ id: i, name: `item number ${i}` })) });
const BIG_PROBLEM = JSON.stringify({
  type: '/problems/not-found',
  title: 'Not Found',
  status: 404,
  errors: Array.from({ length: 60 }, (_, i) => ({ path: `/x/${i}`, message: 'invalid' })),
});

let gateway: TestGateway;
let tap: Awaited<ReturnType<typeof startRecordingProxy>>;
let echo: Awaited<ReturnType<typeof startWebSocketEcho>>;
let nginx: RunningNginx;

beforeAll(async () => {
  gateway = await startTestGateway({ store: 'memory' });
  tap = await startRecordingProxy(gateway.gateway.url, {
    '/api/v1/auth/login': { status: 200, type: 'application/json', body: BIG_JSON },
    '/__tap/problem': {
      status: 404,
      type: 'application/problem+json',
      body: BIG_PROBLEM,
      // as helmet would send them: nginx must replace, not duplicate them
      headers: { 'strict-transport-security': 'max-age=15552000; includeSubDomains', 'x-content-type-options': 'nosniff' },
    },
  });
  echo = await startWebSocketEcho();
  nginx = await startNginx({ gateway: `127.0.0.1:${tap.port}`, stream: `127.0.0.1:${echo.port}` });
});

afterAll(async () => {
  await nginx?.stop();
  await echo?.close();
  await tap?.close();
  await gateway?.close();
});

function request(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean; localAddress?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: nginx.httpsPort,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: nginx.ca,
        servername: 'localhost',
        agent: false,
        localAddress: options.localAddress,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    if (options.body !== undefined && !options.chunked) req.setHeader('content-length', Buffer.byteLength(options.body));
    req.end(options.body);
  });
}

function tlsHandshake(
  options: tls.ConnectionOptions & { port: number },
): Promise<{ protocol: string | null; cipher: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', servername: 'localhost', ...options }, () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name, alpn: socket.alpnProtocol ?? false };
      socket.destroy();
      resolve(result);
    });
    socket.on('error', reject);
  });
}

const headerCount = (answer: Answer, name: string) =>
  answer.rawHeaders.filter((_, i) => i % 2 === 0).filter((h) => h.toLowerCase() === name).length;
const recordedFor = (path: string) => tap.requests.filter((r) => r.url === path);

describe('nginx.conf in a real nginx', () => {
  it('is used with only the documented seams replaced', () => {
    const source = readFileSync(NGINX_CONF, 'utf8');
    const seams = { prefix: '/p', httpPort: 1, httpsPort: 2, gateway: 'g:1', stream: 's:2' };
    expect(renderTestConfig(source, seams)).toContain('server g:1;');
    expect(() => renderTestConfig(source.replace(/^(\s+)server gateway:8080;/m, '$1server app:8080;'), seams)).toThrow(/gateway:8080/);
    expect(() => renderTestConfig(source.replace(/^(\s+)listen 443 /m, '$1listen 8443 '), seams)).toThrow(/listen 443/);
  });

  it('drops the workers to an unprivileged user when the master runs as root', () => {
    const workers = nginxWorkers(nginx.master.pid!);
    expect(workers.length).toBeGreaterThan(0);
    const expectedUid = nginx.workerUser ? Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })) : process.getuid!();
    for (const worker of workers) expect(worker.uid).toBe(expectedUid);
  });

  it('serves the gateway over HTTPS with HSTS once and no version in the Server header', async () => {
    const answer = await request('/health/live');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ status: 'ok' });
    expect(answer.headers.server).toBe('nginx');
    expect(headerCount(answer, 'strict-transport-security')).toBe(1);
    expect(answer.headers['strict-transport-security']).toMatch(/^max-age=(\d{8,}); includeSubDomains$/);
    expect(Number(/max-age=(\d+)/.exec(answer.headers['strict-transport-security']!)![1])).toBeGreaterThanOrEqual(31_536_000);
    expect(headerCount(answer, 'x-content-type-options')).toBe(1);

    const withUpstreamCopies = await request('/__tap/problem');
    expect(headerCount(withUpstreamCopies, 'strict-transport-security')).toBe(1);
    expect(withUpstreamCopies.headers['strict-transport-security']).toBe(answer.headers['strict-transport-security']);
    expect(headerCount(withUpstreamCopies, 'x-content-type-options')).toBe(1);
  });

  it('passes authenticated API calls through and the gateway’s own 401 untouched', async () => {
    const ok = await request('/api/v1/chargepoints', { headers: { 'x-api-key': gateway.adminKey } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body.toString())).toHaveProperty('items');
    const denied = await request('/api/v1/chargepoints');
    expect(denied.status).toBe(401);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(denied.headers['www-authenticate']).toBeDefined();
  });

  it('tells the gateway the client address and scheme, ignoring what the client claims', async () => {
    const path = `/health/live?probe=${Date.now()}`;
    await request(path, {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9', 'x-forwarded-proto': 'http', proxy: 'http://evil' },
    });
    const [seen] = recordedFor(path);
    expect(seen).toBeDefined();
    expect(seen!.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen!.headers['x-real-ip']).toBe('127.0.0.1');
    expect(seen!.headers['x-forwarded-proto']).toBe('https');
    expect(seen!.headers['x-forwarded-host']).toBe('127.0.0.1');
    expect(seen!.headers.host).toBe('127.0.0.1');
    expect(seen!.headers.proxy).toBeUndefined();
  });

  it('speaks HTTP/2 (ALPN h2) end to end', async () => {
    expect((await tlsHandshake({ port: nginx.httpsPort, ca: nginx.ca, ALPNProtocols: ['h2', 'http/1.1'] })).alpn).toBe('h2');
    const session = http2.connect(`https://127.0.0.1:${nginx.httpsPort}`, { ca: nginx.ca });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':path': '/health/live' });
        stream.on('response', (headers) => resolve(Number(headers[':status'])));
        stream.on('error', reject);
        stream.resume();
        stream.end();
      });
      expect(status).toBe(200);
    } finally {
      session.close();
    }
  });

  it('redirects plain HTTP to HTTPS with 301, keeping path and query, without reaching the gateway', async () => {
    const before = tap.requests.length;
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get(
          { host: '127.0.0.1', port: nginx.httpPort, path: '/api/v1/chargepoints?x=1', agent: false },
          (res) => (res.resume(), resolve(res)),
        )
        .on('error', reject);
    });
    expect(answer.statusCode).toBe(301);
    expect(answer.headers.location).toBe('https://127.0.0.1/api/v1/chargepoints?x=1');
    expect(answer.headers.server).toBe('nginx');
    expect(tap.requests.length).toBe(before);
  });

  describe('TLS', () => {
    let control: tls.Server;
    let controlPort: number;
    let controlCa: Buffer;
    const legacy = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
    const weakCipher = { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' } as const;

    beforeAll(async () => {
      // A permissive server proves the client really offers TLS 1.1 and the weak suite, so a refusal
      // below comes from nginx and not from this client's own defaults.
      const { cert, key } = generateCertificate(nginx.prefix);
      controlCa = cert;
      control = tls.createServer({ cert, key, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) => s.end());
      await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
      controlPort = (control.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => control.close(() => resolve())));

    it('refuses TLS 1.0 and 1.1', async () => {
      expect((await tlsHandshake({ port: controlPort, ca: controlCa, ...legacy })).protocol).toBe('TLSv1.1');
      await expect(tlsHandshake({ port: nginx.httpsPort, ca: nginx.ca, ...legacy })).rejects.toThrow(
        /protocol version|unsupported protocol/i,
      );
    });

    it('refuses TLS 1.2 suites without forward secrecy', async () => {
      expect((await tlsHandshake({ port: controlPort, ca: controlCa, ...weakCipher })).cipher).toBe('AES128-SHA');
      await expect(tlsHandshake({ port: nginx.httpsPort, ca: nginx.ca, ...weakCipher })).rejects.toThrow(
        /handshake failure|no shared cipher/i,
      );
    });

    it('accepts TLS 1.2 with ECDHE and TLS 1.3', async () => {
      const v12 = await tlsHandshake({ port: nginx.httpsPort, ca: nginx.ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
      expect(v12).toMatchObject({ protocol: 'TLSv1.2', cipher: expect.stringMatching(/^ECDHE-.*(GCM|CHACHA20)/) });
      expect((await tlsHandshake({ port: nginx.httpsPort, ca: nginx.ca, minVersion: 'TLSv1.3' })).protocol).toBe('TLSv1.3');
    });
  });

  describe('request body limit (64 KiB, as the gateway’s)', () => {
    it('answers 413 problem+json for a bigger body without passing it on', async () => {
      const path = `/api/v1/chargepoints?big=${Date.now()}`;
      const answer = await request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pad: 'x'.repeat(70_000) }),
      });
      expect(answer.status).toBe(413);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(answer.body.toString())).toMatchObject({ status: 413, title: 'Payload Too Large' });
      expect(headerCount(answer, 'strict-transport-security')).toBe(1);
      expect(answer.headers.server).toBe('nginx');
      expect(recordedFor(path)).toHaveLength(0);
    });

    it('counts a chunked body too', async () => {
      const answer = await request('/api/v1/chargepoints', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `"${'y'.repeat(100_000)}"`,
        chunked: true,
      });
      expect(answer.status).toBe(413);
    });

    it('lets a body under the limit reach the gateway', async () => {
      const path = `/api/v1/chargepoints?small=${Date.now()}`;
      const answer = await request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': gateway.adminKey },
        body: JSON.stringify({ pad: 'x'.repeat(60_000) }),
      });
      expect(answer.status).not.toBe(413);
      expect(recordedFor(path)).toHaveLength(1);
    });
  });

  it('upgrades /api/v1/stream to a WebSocket with the proxy headers and carries messages both ways', async () => {
    const socket = new WebSocket(`wss://127.0.0.1:${nginx.httpsPort}/api/v1/stream`, { ca: nginx.ca });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        socket.once('upgrade', (res) => resolve(res.statusCode ?? 0));
        socket.once('error', reject);
      });
      expect(status).toBe(101);
      await new Promise<void>((resolve) => (socket.readyState === WebSocket.OPEN ? resolve() : socket.once('open', () => resolve())));
      const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
      socket.send('hello through nginx');
      expect(await reply).toBe('hello through nginx');
      const upgrade = echo.upgrades.at(-1)!;
      expect(upgrade.url).toBe('/api/v1/stream');
      expect(upgrade.headers).toMatchObject({ upgrade: 'websocket', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' });
      expect(upgrade.headers.connection?.toLowerCase()).toBe('upgrade');
    } finally {
      socket.terminate();
    }
  });

  it('compresses JSON and problem+json for clients that accept gzip', async () => {
    const spec = await request('/openapi.json', { headers: { 'accept-encoding': 'gzip' } });
    expect(spec.status).toBe(200);
    expect(spec.headers['content-encoding']).toBe('gzip');
    expect(spec.headers.vary).toMatch(/Accept-Encoding/i);
    expect(JSON.parse(gunzipSync(spec.body).toString())).toHaveProperty('openapi');

    const problem = await request('/__tap/problem', { headers: { 'accept-encoding': 'gzip' } });
    expect(problem.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(problem.body).toString())).toEqual(JSON.parse(BIG_PROBLEM));

    const plain = await request('/openapi.json');
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('limits login attempts per client IP with 429 problem+json, and does not compress token responses', async () => {
    const login = (localAddress?: string) =>
      request('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
        body: '{"username":"a","password":"b"}',
        localAddress,
      });
    const answers: Answer[] = [];
    for (let i = 0; i < 12; i++) answers.push(await login());
    const statuses = answers.map((a) => a.status);
    expect(statuses[0]).toBe(200);
    expect(answers[0]!.headers['content-encoding']).toBeUndefined();
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    for (const answer of limited) {
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(answer.body.toString())).toMatchObject({ status: 429 });
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      expect(headerCount(answer, 'strict-transport-security')).toBe(1);
    }
    expect(recordedFor('/api/v1/auth/login').length).toBe(12 - limited.length);
    // Another address has its own budget; other paths are not limited.
    expect((await login('127.0.0.2')).status).toBe(200);
    expect((await request('/health/live')).status).toBe(200);
  });

  it('hides /metrics from the public server, whatever the spelling', async () => {
    const before = tap.requests.length;
    for (const path of ['/metrics', '/METRICS', '//metrics', '/%6detrics', '/metrics/', '/api/../metrics']) {
      const answer = await request(path, { headers: { 'x-api-key': gateway.adminKey } });
      expect(answer.status, path).toBe(404);
    }
    expect(tap.requests.length).toBe(before);
  });

  it('answers 503 problem+json with Retry-After when the gateway connection fails', async () => {
    const answer = await request('/__tap/drop');
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['retry-after']).toBe('5');
    expect(headerCount(answer, 'strict-transport-security')).toBe(1);
  });

  it('keeps query strings (possible tokens) out of the access log', async () => {
    await request('/health/live?token=secret-in-query');
    const log = nginx.accessLog();
    expect(log).toContain('"GET /health/live HTTP/1.1" 200');
    expect(log).not.toContain('secret-in-query');
  });
});
