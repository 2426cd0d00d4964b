import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('EnergSync configuration', () => {
  it('is off by default, under /energsync, with openWB as manufacturer and 230 V', () => {
    expect(loadConfig({}).energsync).toEqual({
      enabled: false,
      basePath: '/energsync',
      site: {
        manufacturer: 'openWB',
        model: undefined,
        outputVoltage: 230,
        latitude: undefined,
        longitude: undefined,
        commissioningDate: undefined,
      },
      chargers: {},
    });
  });

  it('reads every ENERGSYNC_ key', () => {
    const config = loadConfig({
      ENERGSYNC_ENABLED: 'true',
      ENERGSYNC_BASE_PATH: '/rewatt/v1',
      ENERGSYNC_MANUFACTURER: 'openWB GmbH',
      ENERGSYNC_MODEL: 'series2 standard+',
      ENERGSYNC_OUTPUT_VOLTAGE: '240',
      ENERGSYNC_LATITUDE: '53.5461',
      ENERGSYNC_LONGITUDE: '-113.4938',
      ENERGSYNC_COMMISSIONING_DATE: '2024-04-12',
      ENERGSYNC_CHARGERS: '{"3":{"serialNumber":"SN-3","maxAvailableCurrent":16,"phases":1}}',
    }).energsync;
    expect(config).toEqual({
      enabled: true,
      basePath: '/rewatt/v1',
      site: {
        manufacturer: 'openWB GmbH',
        model: 'series2 standard+',
        outputVoltage: 240,
        latitude: 53.5461,
        longitude: -113.4938,
        commissioningDate: '2024-04-12',
      },
      chargers: { '3': { serialNumber: 'SN-3', maxAvailableCurrent: 16, phases: 1 } },
    });
  });

  it('reports every bad key at once', () => {
    const problems = problemsOf({
      ENERGSYNC_ENABLED: 'yes',
      ENERGSYNC_BASE_PATH: '/api/energsync',
      ENERGSYNC_LATITUDE: '91',
      ENERGSYNC_LONGITUDE: 'east',
      ENERGSYNC_COMMISSIONING_DATE: '2024-02-30',
      ENERGSYNC_CHARGERS: '{"3":{"serial":"x"}}',
    });
    expect(problems.map((p) => p.split(/[.:]/)[0])).toEqual(
      expect.arrayContaining([
        'ENERGSYNC_ENABLED',
        'ENERGSYNC_BASE_PATH',
        'ENERGSYNC_LATITUDE',
        'ENERGSYNC_LONGITUDE',
        'ENERGSYNC_COMMISSIONING_DATE',
        'ENERGSYNC_CHARGERS',
      ]),
    );
  });

  it.each(['energsync', '/energsync/', '/a b', '/health', '/docs/x', '/'])('refuses the base path %s', (basePath) => {
    expect(problemsOf({ ENERGSYNC_BASE_PATH: basePath }).some((p) => p.startsWith('ENERGSYNC_BASE_PATH'))).toBe(true);
  });

  it('refuses ENERGSYNC_CHARGERS that is not a JSON object of ids', () => {
    expect(problemsOf({ ENERGSYNC_CHARGERS: 'not json' }).join()).toContain('JSON object');
    expect(problemsOf({ ENERGSYNC_CHARGERS: '{"a b":{}}' }).join()).toContain('ENERGSYNC_CHARGERS');
    expect(problemsOf({ ENERGSYNC_CHARGERS: '[1]' }).join()).toContain('ENERGSYNC_CHARGERS');
  });
});

describe('EnergSync configuration from CONFIG_FILE', () => {
  it('takes ENERGSYNC_CHARGERS written as a YAML object', () => {
    const dir = mkdtempSync(join(tmpdir(), 'owg-es-config-'));
    try {
      writeFileSync(
        join(dir, 'gateway.yaml'),
        'ENERGSYNC_ENABLED: true\nENERGSYNC_CHARGERS:\n  "3":\n    serialNumber: SN-3\n    phases: 1\n',
      );
      expect(loadConfig({ CONFIG_FILE: join(dir, 'gateway.yaml') }).energsync).toMatchObject({
        enabled: true,
        chargers: { '3': { serialNumber: 'SN-3', phases: 1 } },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
