/**
 * compose.yaml, checked offline: `docker-compose config` (Debian's 1.29, installed by
 * scripts/ensure-services.sh) on a scratch copy prepared the documented way (deploy/make-secrets.sh),
 * then the resolved model: who publishes ports, health checks, secrets, profiles. Also that the
 * gateway's environment there is a configuration the app accepts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../src/config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_BIN = process.env.DOCKER_COMPOSE_BIN ?? 'docker-compose';
const haveCompose = spawnSync(COMPOSE_BIN, ['version'], { stdio: 'ignore' }).status === 0;
/** Keys compose.yaml sets for the gateway itself; deploy/.env must not repeat them. */
const FIXED_BY_COMPOSE = ['HOST', 'PORT', 'REDIS_URL', 'DATABASE_URL', 'DATABASE_URL_FILE', 'TRUST_PROXY'];

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[];
  profiles?: string[];
  ports?: { published: number | string; target: number }[];
  restart?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  secrets?: { source: string }[];
  networks?: Record<string, unknown>;
  volumes?: string[];
  read_only?: boolean;
}
interface ComposeModel {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean }>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
}

/** A copy of what a deployment needs from the repository, without local secrets. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'owg-compose-'));
  for (const file of ['compose.yaml', 'nginx.conf', 'Dockerfile']) cpSync(join(ROOT, file), join(dir, file));
  cpSync(join(ROOT, 'deploy'), join(dir, 'deploy'), {
    recursive: true,
    filter: (src) => !/[/\\]deploy[/\\](\.env|secrets|certs)$/.test(src),
  });
  return dir;
}

function compose(dir: string, ...args: string[]) {
  return spawnSync(COMPOSE_BIN, ['-f', 'compose.yaml', ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
}

const envFileKeys = (text: string) => [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

describe('deploy/.env.example', () => {
  it('names only configuration keys the gateway knows, and none that compose.yaml fixes', () => {
    const keys = envFileKeys(readFileSync(join(ROOT, 'deploy/.env.example'), 'utf8'));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(CONFIG_KEYS as readonly string[], key).toContain(key);
      expect(FIXED_BY_COMPOSE, key).not.toContain(key);
    }
  });
});

describe.skipIf(!haveCompose && !process.env.CI)('compose.yaml (docker-compose config, offline)', () => {
  let dir: string;
  let model: ComposeModel;
  let secrets: Record<string, string>;

  beforeAll(() => {
    if (!haveCompose) throw new Error(`${COMPOSE_BIN} is not installed; run: bash scripts/ensure-services.sh`);
    dir = scratchCopy();
    const before = compose(dir, 'config', '-q');
    expect(before.status, 'config must fail while deploy/.env and the secrets are missing').not.toBe(0);
    execFileSync('bash', ['deploy/make-secrets.sh', 'gateway.example.org'], { cwd: dir, stdio: 'pipe' });
    secrets = Object.fromEntries(
      readdirSync(join(dir, 'deploy/secrets')).map((f) => [f, readFileSync(join(dir, 'deploy/secrets', f), 'utf8')]),
    );
    const result = compose(dir, 'config');
    expect(result.stderr).not.toMatch(/ERROR/);
    expect(result.status).toBe(0);
    model = parseYaml(result.stdout) as ComposeModel;
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('make-secrets.sh creates consistent, private secrets once', () => {
    expect(Object.keys(secrets).sort()).toEqual(['database_url', 'mariadb_password', 'mariadb_root_password']);
    expect(secrets.mariadb_password).toMatch(/^[0-9a-f]{48}$/);
    expect(secrets.mariadb_root_password).toMatch(/^[0-9a-f]{48}$/);
    expect(secrets.mariadb_root_password).not.toBe(secrets.mariadb_password);
    expect(secrets.database_url).toBe(`mariadb://owg:${secrets.mariadb_password}@mariadb:3306/owg`);
    expect(statSync(join(dir, 'deploy/secrets')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'deploy/certs/privkey.pem')).mode & 0o077).toBe(0);
    expect(readFileSync(join(dir, 'deploy/.env'), 'utf8')).toBe(readFileSync(join(ROOT, 'deploy/.env.example'), 'utf8'));
    const san = execFileSync('openssl', ['x509', '-in', join(dir, 'deploy/certs/fullchain.pem'), '-noout', '-ext', 'subjectAltName'], {
      encoding: 'utf8',
    });
    expect(san).toContain('DNS:gateway.example.org');

    const again = execFileSync('bash', ['deploy/make-secrets.sh'], { cwd: dir, encoding: 'utf8' });
    expect(again).toContain('nothing to do');
    expect(readFileSync(join(dir, 'deploy/secrets/mariadb_password'), 'utf8')).toBe(secrets.mariadb_password);
  });

  it('publishes only nginx (80, 443); Redis, MariaDB and the demo broker sit on an internal network', () => {
    const published = Object.entries(model.services)
      .filter(([, s]) => s.ports?.length)
      .map(([name]) => name);
    expect(published).toEqual(['nginx']);
    // docker-compose 1.29 prints the long syntax
    expect(model.services.nginx!.ports).toEqual([
      { published: 80, target: 80 },
      { published: 443, target: 443 },
    ]);
    expect(model.networks.backend?.internal).toBe(true);
    for (const name of ['redis', 'mariadb', 'mosquitto', 'simulator'])
      expect(Object.keys(model.services[name]!.networks ?? {}), name).toEqual(['backend']);
    expect(Object.keys(model.services.nginx!.networks ?? {})).toEqual(['frontend']);
  });

  it('gives every service a restart policy and a health check (the simulator serves no HTTP)', () => {
    for (const [name, service] of Object.entries(model.services)) {
      expect(service.restart, name).toBe('unless-stopped');
      // `disable: true` reads back as test [NONE] from docker-compose 1.29
      if (name === 'simulator') expect(service.healthcheck?.disable === true || service.healthcheck?.test?.[0] === 'NONE').toBe(true);
      else expect(service.healthcheck?.test?.length, name).toBeGreaterThan(1);
    }
    expect(model.services.gateway!.healthcheck!.test!.join(' ')).toContain('/health/ready');
  });

  it('starts the gateway after healthy Redis and MariaDB, with the database URL from a secret', () => {
    const gateway = model.services.gateway!;
    expect(gateway.depends_on).toEqual({ redis: { condition: 'service_healthy' }, mariadb: { condition: 'service_healthy' } });
    expect(gateway.environment).toMatchObject({
      HOST: '0.0.0.0',
      REDIS_URL: 'redis://redis:6379',
      DATABASE_URL_FILE: '/run/secrets/database_url',
      TRUST_PROXY: '1',
    });
    expect(gateway.environment).not.toHaveProperty('DATABASE_URL');
    expect(gateway.secrets?.map((s) => s.source)).toEqual(['database_url']);
    expect(gateway.build?.context).toBe(dir);
    expect(gateway.read_only).toBe(true);

    const mariadb = model.services.mariadb!;
    expect(mariadb.environment).toMatchObject({
      MARIADB_PASSWORD_FILE: '/run/secrets/mariadb_password',
      MARIADB_ROOT_PASSWORD_FILE: '/run/secrets/mariadb_root_password',
    });
    expect(mariadb.secrets?.map((s) => s.source).sort()).toEqual(['mariadb_password', 'mariadb_root_password']);
    expect(model.secrets.database_url!.file).toBe(join(dir, 'deploy/secrets/database_url'));
  });

  it('never inlines a secret into the resolved configuration', () => {
    const resolved = compose(dir, 'config').stdout;
    expect(resolved).not.toContain(secrets.mariadb_password);
    expect(resolved).not.toContain(secrets.mariadb_root_password);
  });

  it('keeps data in named volumes and mounts the tested nginx.conf unchanged', () => {
    expect(Object.keys(model.volumes).sort()).toEqual(['gateway-data', 'mariadb-data', 'redis-data']);
    expect(model.services.gateway!.volumes).toEqual([expect.stringMatching(/^gateway-data:\/app\/data/)]);
    expect(model.services.redis!.volumes).toEqual([expect.stringMatching(/^redis-data:\/data/)]);
    expect(model.services.mariadb!.volumes).toEqual([expect.stringMatching(/^mariadb-data:\/var\/lib\/mysql/)]);
    expect(model.services.nginx!.volumes).toContain(`${join(dir, 'nginx.conf')}:/etc/nginx/nginx.conf:ro`);
    // The certificate folder is the one nginx.conf names (a seam the nginx test replaces).
    expect(model.services.nginx!.volumes).toContain(`${join(dir, 'deploy/certs')}:/etc/nginx/certs:ro`);
    expect(readFileSync(join(ROOT, 'nginx.conf'), 'utf8')).toContain('ssl_certificate     /etc/nginx/certs/fullchain.pem;');
  });

  it('adds Mosquitto and the simulator (same image, other command) only with --profile demo', () => {
    for (const name of ['nginx', 'gateway', 'redis', 'mariadb']) expect(model.services[name]!.profiles, name).toBeUndefined();
    expect(model.services.mosquitto!.profiles).toEqual(['demo']);
    expect(model.services.simulator!.profiles).toEqual(['demo']);
    expect(model.services.simulator!.image).toBe(model.services.gateway!.image);
    expect(model.services.simulator!.command).toEqual(['openwb-gateway', 'simulate', '--url', 'mqtt://mosquitto:1883']);
    expect(model.services.simulator!.depends_on).toEqual({ mosquitto: { condition: 'service_healthy' } });

    const demo = compose(dir, '--profile', 'demo', 'config', '-q');
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
  });

  it('hands the gateway an environment its configuration accepts', () => {
    const env: Record<string, string> = {};
    for (const line of readFileSync(join(dir, 'deploy/.env'), 'utf8').split('\n')) {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (m) env[m[1]!] = m[2]!;
    }
    Object.assign(env, model.services.gateway!.environment, { DATABASE_URL_FILE: join(dir, 'deploy/secrets/database_url') });
    const config = loadConfig(env);
    expect(config.http).toMatchObject({ host: '0.0.0.0', port: 8080 });
    expect(config.database).toMatchObject({ kind: 'mariadb', url: secrets.database_url });
    expect(config.redis?.url).toBe('redis://redis:6379');
    expect(config.mqtt?.url).toBe('mqtt://mosquitto:1883');
  });
});
