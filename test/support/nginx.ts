/**
 * A real nginx running the repository's nginx.conf, for tests: the deployment-specific values (the
 * seams listed at the top of nginx.conf) are replaced in a test copy, everything else is used as is.
 * Also the small upstreams the nginx suite needs: a recording pass-through proxy in front of the test
 * gateway and a WebSocket echo server.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
export const NGINX_CONF = new URL('../../nginx.conf', import.meta.url);

export interface TestConfigOptions {
  prefix: string;
  httpPort: number;
  httpsPort: number;
  /** host:port of the upstream for everything but the stream */
  gateway: string;
  /** host:port of the upstream for /api/v1/stream */
  stream: string;
  /** `user` directive value; omitted (directive dropped) when nginx does not run as root */
  user?: string;
}

/** Replaces `search` in `text`, insisting it occurs exactly `count` times (a drifted seam fails loudly). */
function replaceExactly(text: string, search: string, replacement: string, count = 1): string {
  const found = text.split(search).length - 1;
  if (found !== count) throw new Error(`nginx.conf seam ${JSON.stringify(search)} found ${found} times, expected ${count}`);
  return text.split(search).join(replacement);
}

/** The test copy of nginx.conf: loopback ports, paths inside `prefix`, the given upstreams. */
export function renderTestConfig(source: string, o: TestConfigOptions): string {
  // Comment lines go first: they name the seams too.
  let conf = source
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  conf = replaceExactly(conf, 'user nginx;', o.user ? `user ${o.user};` : '# user: master not root');
  conf = replaceExactly(conf, 'pid /var/run/nginx.pid;', `pid ${o.prefix}/nginx.pid;`);
  conf = replaceExactly(conf, '/var/log/nginx/', `${o.prefix}/logs/`, 2);
  conf = replaceExactly(conf, '/var/cache/nginx/', `${o.prefix}/cache/`, 5);
  conf = replaceExactly(conf, '/etc/nginx/certs/', `${o.prefix}/certs/`, 2);
  conf = replaceExactly(conf, 'listen 80 default_server;', `listen 127.0.0.1:${o.httpPort} default_server;`);
  conf = replaceExactly(conf, 'listen 443 ssl http2 default_server;', `listen 127.0.0.1:${o.httpsPort} ssl http2 default_server;`);
  conf = replaceExactly(conf, 'upstream gateway {\n        server gateway:8080;', `upstream gateway {\n        server ${o.gateway};`);
  conf = replaceExactly(conf, 'least_conn;\n        server gateway:8080;', `least_conn;\n        server ${o.stream};`);
  if (conf.includes('gateway:8080')) throw new Error('nginx.conf names gateway:8080 outside the two upstream seams');
  return conf;
}

/** `count` distinct free ports: all are held at once before any is released, so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** A self-signed certificate for localhost / 127.0.0.1 (it is its own CA for the client). */
export function generateCertificate(dir: string): { cert: Buffer; key: Buffer } {
  const certFile = join(dir, 'fullchain.pem');
  const keyFile = join(dir, 'privkey.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

export interface RunningNginx {
  httpPort: number;
  httpsPort: number;
  /** The certificate the client must trust. */
  ca: Buffer;
  prefix: string;
  /** The worker user when the master runs as root. */
  workerUser?: string;
  master: ChildProcess;
  accessLog(): string;
  stop(): Promise<void>;
}

/**
 * Starts `nginx -g 'daemon off;'` with the test copy of nginx.conf after `nginx -t` accepted it. As
 * root, the workers drop to `nobody` like production's drop to `nginx` (the prefix is made traversable
 * for them; nginx chowns its temp folders itself).
 */
export async function startNginx(upstreams: { gateway: string; stream: string }): Promise<RunningNginx> {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} is not installed; run: bash scripts/ensure-services.sh`);
  const prefix = mkdtempSync(join(tmpdir(), 'owg-nginx-'));
  try {
    return await launchNginx(prefix, upstreams);
  } catch (error) {
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
}

async function launchNginx(prefix: string, upstreams: { gateway: string; stream: string }): Promise<RunningNginx> {
  chmodSync(prefix, 0o755);
  for (const dir of ['logs', 'cache', 'certs']) mkdirSync(join(prefix, dir));
  const { cert } = generateCertificate(join(prefix, 'certs'));
  const isRoot = process.getuid?.() === 0;
  const workerUser = isRoot ? `nobody ${execFileSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).trim()}` : undefined;
  const source = readFileSync(NGINX_CONF, 'utf8');
  const confFile = join(prefix, 'nginx.conf');

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [httpPort = 0, httpsPort = 0] = await freePorts(2);
    writeFileSync(confFile, renderTestConfig(source, { prefix, httpPort, httpsPort, ...upstreams, user: workerUser }));
    const args = ['-c', confFile, '-p', `${prefix}/`, '-e', 'stderr'];
    execFileSync(NGINX_BIN, [...args, '-t', '-q'], { stdio: 'pipe' });
    const master = spawn(NGINX_BIN, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    master.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => master.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (master.exitCode === null && master.signalCode === null && Date.now() < deadline) {
      if ((await tcpOpen(httpPort)) && (await tcpOpen(httpsPort))) {
        const stop = async () => {
          if (master.exitCode === null && master.signalCode === null) {
            const timer = setTimeout(() => master.kill('SIGKILL'), 5_000);
            master.kill('SIGTERM');
            await exited;
            clearTimeout(timer);
          }
          rmSync(prefix, { recursive: true, force: true });
        };
        const accessLog = () => readFileSync(join(prefix, 'logs', 'access.log'), 'utf8');
        return { httpPort, httpsPort, ca: cert, prefix, workerUser, master, accessLog, stop };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    master.kill('SIGKILL');
    await exited;
    lastError = new Error(`nginx did not start (exit ${master.exitCode}): ${stderr}`);
    if (!/Address already in use/.test(stderr)) break;
  }
  throw lastError ?? new Error('nginx did not start');
}

/** Worker processes of an nginx master (Linux /proc), with their real user id. */
export function nginxWorkers(masterPid: number): { pid: number; uid: number }[] {
  const pids = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return pids.map((pid) => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    return { pid: Number(pid), uid };
  });
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface FakeResponse {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

/**
 * A pass-through proxy that records what nginx sends upstream, then forwards to `target`. Requests to
 * `/__tap/drop` lose their connection (an upstream failure); paths in `fakes` are answered here.
 */
export async function startRecordingProxy(target: string, fakes: Record<string, FakeResponse> = {}) {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/__tap/drop') return void req.socket.destroy();
    const fake = fakes[path];
    if (fake) {
      req.resume();
      return void res.writeHead(fake.status, { ...fake.headers, 'content-type': fake.type }).end(fake.body);
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  // Longer than nginx's upstream keepalive_timeout, as the gateway's own server is.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => {
      agent.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A WebSocket server that echoes every message and records the upgrade requests it accepted. */
export async function startWebSocketEcho() {
  const upgrades: RecordedRequest[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (socket, req) => {
    upgrades.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  return {
    port: (wss.address() as AddressInfo).port,
    upgrades,
    close: () => {
      for (const client of wss.clients) client.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
