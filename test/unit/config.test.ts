import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('runs in demo mode with SQLite and the memory store when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      http: { port: 8080, host: '127.0.0.1', metricsPublic: false },
      openwb: { generation: 'auto', topicPrefix: '', qos: 0 },
      database: { kind: 'sqlite', path: './data/openwb-gateway.db' },
      staleAfterMs: 60_000,
      retireAfterMs: 600_000,
    });
    expect(config.mqtt).toBeUndefined();
    expect(config.redis).toBeUndefined();
  });

  it('reads every documented key', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      OPENWB_MQTT_URL: 'mqtts://openwb.local:8883',
      OPENWB_MQTT_USERNAME: 'u',
      OPENWB_MQTT_PASSWORD: 'p',
      OPENWB_GENERATION: '1.9',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      DATABASE_URL: 'mariadb://gw:secret@db:3306/openwb',
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
      STALE_AFTER_S: '30',
      RETIRE_AFTER_S: '120',
      AUTH_CACHE_MAX_STALE_S: '120',
    });
    expect(config.http).toMatchObject({ port: 9000, host: '0.0.0.0' });
    expect(config.mqtt).toMatchObject({ url: 'mqtts://openwb.local:8883', username: 'u', password: 'p' });
    expect(config.openwb.generation).toBe('1.9');
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379/2', keyPrefix: 'owg:' });
    expect(config.database).toEqual({ kind: 'mariadb', url: 'mariadb://gw:secret@db:3306/openwb', connectTimeoutMs: 1500 });
    expect(config.security.auth).toMatchObject({ cacheTtlMs: 60_000, cacheMaxStaleMs: 120_000 });
    expect(config.staleAfterMs).toBe(30_000);
    expect(config.retireAfterMs).toBe(120_000);
  });

  it('reports every problem at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        PORT: 'eighty',
        OPENWB_GENERATION: '3',
        REDIS_URL: 'http://x',
        DATABASE_URL: 'postgres://x',
        STALE_AFTER_S: '0',
        RETIRE_AFTER_S: '0',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = error!.problems.map((p) => p.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining(['PORT', 'OPENWB_GENERATION', 'REDIS_URL', 'DATABASE_URL', 'STALE_AFTER_S', 'RETIRE_AFTER_S']),
    );
    expect(error!.message).toContain('Invalid configuration');
  });

  it('merges a YAML file under the environment, rejects unknown file keys, and reads secrets from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'owg-config-'));
    writeFileSync(join(dir, 'gateway.yaml'), 'PORT: 7000\nSTALE_AFTER_S: 90\n');
    writeFileSync(join(dir, 'password'), 's3cret\n');
    const config = loadConfig({
      CONFIG_FILE: join(dir, 'gateway.yaml'),
      STALE_AFTER_S: '45',
      OPENWB_MQTT_URL: 'mqtt://x',
      OPENWB_MQTT_PASSWORD_FILE: join(dir, 'password'),
    });
    expect(config.http.port).toBe(7000);
    expect(config.staleAfterMs).toBe(45_000);
    expect(config.mqtt?.password).toBe('s3cret');

    writeFileSync(join(dir, 'bad.yaml'), 'PORTT: 7000\n');
    expect(() => loadConfig({ CONFIG_FILE: join(dir, 'bad.yaml') })).toThrow(/unknown key PORTT/);
  });

  it('reads the report settings and names their problems', () => {
    const config = loadConfig({
      REPORT_OPERATOR_NAME: 'Jürgen Weiß',
      REPORT_OPERATOR_ADDRESS: 'Großbeerenstraße 12; 80331 München',
      REPORT_METER_NOTE: 'MID-konformer Zähler',
      REPORT_FLAT_RATE_PER_KWH: '0.30',
      REPORT_FLAT_RATE_NOTE: 'Vereinbarung 2026',
      REPORT_VEHICLE_PLATES: '1=M-AB 123E',
    });
    expect(config.report).toEqual({
      operatorName: 'Jürgen Weiß',
      operatorAddress: ['Großbeerenstraße 12', '80331 München'],
      meterNote: 'MID-konformer Zähler',
      flatRate: { pricePerKwh: 0.3, note: 'Vereinbarung 2026' },
      vehiclePlates: new Map([['1', 'M-AB 123E']]),
    });
    expect(loadConfig({}).report).toMatchObject({ operatorName: null, operatorAddress: [], flatRate: null });
    let error: ConfigError | undefined;
    try {
      loadConfig({ REPORT_FLAT_RATE_PER_KWH: 'cheap', REPORT_VEHICLE_PLATES: 'M-AB 123', REPORT_FLAT_RATE_NOTE: 'x' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error!.problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['REPORT_FLAT_RATE_PER_KWH', 'REPORT_VEHICLE_PLATES']),
    );
    expect(() => loadConfig({ REPORT_FLAT_RATE_NOTE: 'x' })).toThrow(/REPORT_FLAT_RATE_NOTE: set REPORT_FLAT_RATE_PER_KWH too/);
  });

  it('refuses broker credentials without a broker', () => {
    expect(() => loadConfig({ OPENWB_MQTT_PASSWORD: 'x' })).toThrow(/OPENWB_MQTT_URL/);
  });
});
