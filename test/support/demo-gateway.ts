/**
 * A gateway in demo mode (`npm start` with nothing configured), in process: embedded broker, the openWB 2.x
 * simulator (chargepoints 3 and 4, vehicles 0–2), SQLite, the demo admin key. Every response checked
 * against openapi.yaml. For suites that try the API as a newcomer would: Swagger UI's examples, the
 * contract coverage, the fuzzer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { startGateway, type Gateway } from '../../src/gateway.ts';
import { FAST_KDF } from './auth.ts';
import { eventually } from './gateway.ts';
import { contractClient, type ContractClient } from './response-contract.ts';

export interface DemoGateway {
  gateway: Gateway;
  http: ContractClient;
  /** The demo's admin key, as `npm start` prints it. */
  key: string;
  close(): Promise<void>;
}

export async function startDemoGateway(env: Record<string, string> = {}): Promise<DemoGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'owg-demo-'));
  const gateway = await startGateway(
    loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_URL: `sqlite:${join(dir, 'demo.db')}`,
      RECORDER_SPOOL_FILE: join(dir, 'spool.jsonl'),
      DEMO_INTERVAL_S: '1',
      RECORD_INTERVAL_S: '1',
      // Every operation of the spec is served, EnergSync's and the timeseries-api wire mode's too.
      ENERGSYNC_ENABLED: 'true',
      // The smartmeter's paths under the prefix the spec writes, so that suites walking the spec find them.
      PULSE_METER_COMPAT_ENABLED: 'true',
      PULSE_METER_COMPAT_BASE_PATH: '/pulse-meter',
      TIMESERIES_API_ENABLED: 'true',
      ...FAST_KDF,
      ...env,
    }),
  );
  const key = gateway.demoApiKey!;
  const http = contractClient(gateway.url);
  await eventually(
    async () => {
      const [cps, vehicles, site] = await Promise.all(
        ['/api/v1/chargepoints', '/api/v1/vehicles', '/api/v1/site'].map(async (path) => (await http.get(path).set('x-api-key', key)).body),
      );
      const complete =
        cps.items?.length === 2 && vehicles.items?.length >= 3 && ['grid', 'pv', 'battery', 'home'].every((p) => site[p]?.power !== null);
      return complete ? true : undefined;
    },
    15_000,
    'the simulated openWB to publish its chargepoints, vehicles and site',
  );
  return {
    gateway,
    http,
    key,
    close: async () => {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
