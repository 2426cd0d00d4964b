import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/gateway.ts';
import { buildForStart, startNode, stop } from '../support/process.ts';
import { freePort } from '../support/redis-server.ts';

describe('demo mode (`npm start` with nothing configured)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'owg-demo-'));
  let child: ChildProcess;
  let base: string;
  let key: string;
  let output: () => string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Exactly what `npm start` runs: the compiled gateway.
    const nodeArgs = buildForStart();
    const env = {
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'demo.db')}`,
      RECORDER_SPOOL_FILE: join(dir, 'spool.jsonl'),
      DEMO_INTERVAL_S: '1',
      LOG_LEVEL: 'warn',
    };
    const started = await startNode('npm start', env, /API key: (owg_\S+)/, 30_000, nodeArgs);
    child = started.child;
    key = started.match[1] as string;
    output = started.output;
    // `npm run build` compiles the gateway and builds the dashboard before the start.
  }, 90_000);

  afterAll(async () => {
    if (child) expect(await stop(child)).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string) => fetch(base + path, { headers: { 'x-api-key': key } });

  it('prints an admin key that works, and serves the simulated openWB 2.x', async () => {
    const cps = await eventually(
      async () => {
        const body = (await (await get('/api/v1/chargepoints')).json()) as {
          items: { id: string; stale: boolean; energyImported: number | null }[];
        };
        // The simulator publishes the site after the chargepoints: wait for the whole first cycle.
        const site = (await (await get('/api/v1/site')).json()) as Record<string, { power: number | null }>;
        const siteComplete = ['grid', 'pv', 'battery', 'home'].every((part) => typeof site[part]?.power === 'number');
        return siteComplete && body.items.length >= 2 && body.items.every((cp) => cp.energyImported !== null) ? body.items : undefined;
      },
      10_000,
      'two chargepoints and the site',
    );
    expect(cps.map((cp) => cp.id)).toEqual(['3', '4']);
    expect(cps.every((cp) => !cp.stale)).toBe(true);

    const site = (await (await get('/api/v1/site')).json()) as Record<string, { stale: boolean; power: number | null }>;
    for (const part of ['grid', 'pv', 'battery', 'home']) expect(site[part]).toMatchObject({ stale: false, power: expect.any(Number) });
    expect(site.pv!.power).toBeGreaterThanOrEqual(0);

    const vehicles = (await (await get('/api/v1/vehicles')).json()) as { items: { name: string }[] };
    expect(vehicles.items.length).toBeGreaterThanOrEqual(2);

    const system = (await (await get('/api/v1/system')).json()) as {
      openwb: { generation: string; version: string };
      broker: { connected: boolean };
    };
    expect(system).toMatchObject({ openwb: { generation: '2', version: '2.2.2' }, broker: { connected: true } });
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  it('prints the dashboard with a demo sign-in that works, and serves the built page there', async () => {
    const printed = /Dashboard: (\S+)\s+\(sign in as (\S+) \/ (\S+)\)/.exec(output());
    expect(printed?.[1]).toBe(`${base}/`);
    const page = await fetch(printed![1]!);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script type="module" crossorigin src="\/assets\/[\w-]+\.js"><\/script>/);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: printed![2], password: printed![3] }),
    });
    expect(login.status).toBe(200);
    const me = await fetch(`${base}/api/v1/auth/me`, {
      headers: { Authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` },
    });
    expect(await me.json()).toMatchObject({ name: 'demo', role: 'admin', kind: 'token' });
  });

  it('shows energy counters rising from cycle to cycle', async () => {
    const total = async () => {
      const body = (await (await get('/api/v1/site')).json()) as { grid: { energyImported: number }; pv: { energyTotal: number } };
      return body.grid.energyImported + body.pv.energyTotal;
    };
    const before = await total();
    await eventually(async () => ((await total()) > before ? true : undefined), 20_000, 'counters to rise');
  });
});
