/**
 * The dashboard in demo mode, as `npm start` serves it (embedded broker, simulated openWB 2.x that confirms commands,
 * the printed demo sign-in): a control action ends "applied", a plot is drawn, a PDF report downloads, and every view
 * passes axe-core without serious or critical violations, with screenshots at phone and desktop width kept in
 * test-artifacts/dashboard/.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  launchBrowser,
  openPage,
  screenshot,
  seriousAxeViolations,
  signIn,
  type PageProblems,
} from '../support/browser.ts';
import { startDemoGateway, type DemoGateway } from '../support/demo-gateway.ts';
import { loadSpec } from '../../src/spec.ts';

/** The plot's series colours (plot.ts), as the canvas holds them (bars filled with alpha 0xcc, lines opaque). */
const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'].map((hex) => ({
  r: parseInt(hex.slice(1, 3), 16),
  g: parseInt(hex.slice(3, 5), 16),
  b: parseInt(hex.slice(5, 7), 16),
}));

/** How many pixels of a plot's canvas hold one of the series colours: something was drawn, not only axes and grid. */
function colouredPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((element, colours) => {
    const c = element as unknown as {
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(...a: number[]): { data: Uint8ClampedArray } };
    };
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const near = (c: { r: number; g: number; b: number }) =>
        Math.abs(data[i]! - c.r) < 24 && Math.abs(data[i + 1]! - c.g) < 24 && Math.abs(data[i + 2]! - c.b) < 24;
      if (data[i + 3]! > 100 && colours.some(near)) n++;
    }
    return n;
  }, SERIES_COLOURS);
}

describe('the dashboard in demo mode', () => {
  let demo: DemoGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  let login: { name: string; password: string };

  beforeAll(async () => {
    demo = await startDemoGateway({ COMMAND_TIMEOUT_S: '10' });
    login = { name: demo.gateway.demoLogin!.username, password: demo.gateway.demoLogin!.password };
    browser = await launchBrowser();
    ({ context, page, problems } = await openPage(browser));
    await signIn(page, demo.gateway.url, login);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await demo?.close();
  });

  it('signs in with the printed demo login; a charge-mode change goes from pending to applied', async () => {
    await page.goto(`${demo.gateway.url}/#/chargepoint/3`);
    const pressed = page.locator('[data-mode][aria-pressed="true"]');
    await pressed.waitFor();
    const current = await pressed.getAttribute('data-mode');
    const target = current === 'instant' ? 'pv' : 'instant';
    // With the keyboard, as someone without a mouse would: focus the button, press Enter.
    await page.locator(`[data-mode="${target}"]`).focus();
    await page.keyboard.press('Enter');
    const status = page.locator('[data-command-status]');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 15_000 }).toBe('applied');
    expect(await status.textContent()).toMatch(/applied$/);
    await expect.poll(() => pressed.getAttribute('data-mode')).toBe(target);
    // The lock toggles and is confirmed the same way (Space on a focused button).
    await page.locator('[data-action="lock"]').focus();
    await page.keyboard.press('Space');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^(Lock|Unlock): applied$/);
    await page.locator('[data-action="lock"]').click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/^(Lock|Unlock): applied$/);
    expect(problems.errors).toEqual([]);
  });

  it('draws the energy per day as bars (the canvas holds the series colour)', async () => {
    await page.goto(`${demo.gateway.url}/#/history`);
    const coloured = async () => {
      await page.getByRole('button', { name: 'This month by day' }).click();
      await page.locator('.plot canvas').waitFor();
      return colouredPixels(page.locator('.plot canvas'));
    };
    // The recorder samples every second; today's bar appears once a meter counter has risen between two samples.
    await expect.poll(coloured, { timeout: 15_000, interval: 500 }).toBeGreaterThan(50);
    expect(problems.errors).toEqual([]);
  });

  it('downloads the sessions as a PDF report, and as CSV and XLSX', async () => {
    await page.goto(`${demo.gateway.url}/#/sessions`);
    await page
      .locator('[data-download-status]')
      .filter({ hasText: /Sessions shown|No sessions/ })
      .waitFor();
    await expect.poll(() => page.locator('[data-totals]').textContent()).toMatch(/^Total sessions: \d+ · [\d.]+ kWh · /);
    const files: Record<string, Buffer> = {};
    for (const kind of ['pdf', 'csv', 'xlsx']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-download="${kind}"]`).click()]);
      const path = await download.path();
      files[kind] = readFileSync(path);
      expect(download.suggestedFilename()).toMatch(new RegExp(`\\.${kind}$`));
    }
    expect(files.pdf!.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(files.csv!.toString('utf8')).toMatch(/^Session,Chargepoint,Start/);
    expect(files.xlsx!.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(problems.errors).toEqual([]);
  });

  it('offers "Other devices" once there are pulse meters or measurement series, and draws a meter tile and a series plot', async () => {
    // Their operations are in the spec (the page reads them through the SDK's typed calls): no 404 to fall back on.
    const paths = Object.keys((loadSpec().document as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/meters', '/api/v1/meters/{meterId}/reading', '/api/v1/series']));
    // The demo starts without any: the menu, probed at sign-in, leaves the view out.
    await page.locator('[data-route="devices"][data-probed]').waitFor({ state: 'attached' });
    expect(await page.locator('[data-route="devices"]').isHidden()).toBe(true);
    await page.goto(`${demo.gateway.url}/#/devices`);
    await expect.poll(() => page.locator('#devices-title + p').textContent()).toBe('No pulse meters or measurement series are set up yet.');

    const api = (path: string, body: object) =>
      fetch(`${demo.gateway.url}${path}`, {
        method: 'POST',
        headers: { 'x-api-key': demo.key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const meter = (await (await api('/api/v1/meters', { name: 'Heat pump', energyPerPulseWh: 1, startReadingWh: 1_000_000 })).json()) as {
      id: string;
    };
    const times = Array.from({ length: 30 }, (_, i) => new Date(Date.now() - (30 - i) * 2000).toISOString());
    expect((await api(`/api/v1/meters/${meter.id}/pulses`, { times })).status).toBe(200);
    const series = (await (
      await api('/api/v1/series', {
        description: 'Garden thermometer',
        deviceId: 'esp32-garden',
        deviceDescription: 'ESP32 in the garden',
        units: { temperature: '°C' },
      })
    ).json()) as { id: string };
    const points = Array.from({ length: 20 }, (_, i) => ({
      time: new Date(Date.now() - (20 - i) * 60_000).toISOString(),
      fields: { temperature: 10 + i / 4 },
    }));
    expect((await api(`/api/v1/series/${series.id}/points`, { points })).status).toBe(201);

    await page.goto(`${demo.gateway.url}/#/live`);
    await page.reload();
    await page.locator('[data-route="devices"][data-probed]').waitFor({ state: 'attached' });
    expect(await page.locator('[data-route="devices"]').isHidden()).toBe(false);
    await page.locator('[data-route="devices"]').click();
    // The pointer leaves the menu, so that the screenshots after this show no hovered link.
    await page.mouse.move(1, 400);
    // The meter's tile: today's energy (30 pulses of 1 Wh), its power, and this hour's bar in the meter's colour.
    const tile = page.locator(`[data-meter="${meter.id}"]`);
    await expect.poll(() => tile.locator('.num').first().textContent()).toBe('0.03 kWh');
    expect(await tile.locator('h3').textContent()).toBe('Heat pump');
    await expect.poll(() => tile.locator('.num').nth(1).textContent()).toMatch(/^[\d.]+ k?W$/);
    await expect.poll(() => colouredPixels(tile.locator('canvas'))).toBeGreaterThan(20);
    // Its time axis is today as the history answer gives it (midnight to the end of this hour), not an axis that
    // uPlot fits to the bars' starts (or, with the one bar just after midnight, widens around it by years).
    const shownSpan = async () => {
      const shown = tile.locator('.plot');
      return [await shown.getAttribute('data-x-from'), await shown.getAttribute('data-x-to')].map(Number);
    };
    const historySpan = async () => {
      const answer = await fetch(`${demo.gateway.url}/api/v1/meters/${meter.id}/history?interval=hour`, {
        headers: { 'x-api-key': demo.key },
      });
      const { start, end } = (await answer.json()) as { start: string; end: string };
      return [Date.parse(start) / 1000, Date.parse(end) / 1000];
    };
    await expect.poll(async () => (await shownSpan()).join() === (await historySpan()).join()).toBe(true);
    // The series: chosen in the list, its field with the unit, and the mean per 5 minutes plotted as a line.
    expect(await page.getByRole('combobox', { name: 'Measurement series', exact: true }).locator('option:checked').textContent()).toBe(
      'Garden thermometer',
    );
    expect(await page.getByRole('combobox', { name: 'Measurement', exact: true }).locator('option:checked').textContent()).toBe(
      'temperature (°C)',
    );
    const plot = page.locator('[data-series-plot][data-drawn]');
    await plot.locator('canvas').waitFor();
    expect(await plot.getAttribute('aria-label')).toBe('Garden thermometer: temperature');
    await expect.poll(() => colouredPixels(plot.locator('canvas'))).toBeGreaterThan(20);
    expect(await page.locator('#devices-title + p').textContent()).toBe('');
    expect(problems.errors).toEqual([]);
  });

  const VIEWS = [
    { name: 'live', hash: '#/live', ready: '[data-value="grid.power"] .num' },
    { name: 'chargepoint', hash: '#/chargepoint/3', ready: '[data-mode]' },
    { name: 'history', hash: '#/history', ready: '.plot canvas' },
    { name: 'sessions', hash: '#/sessions', ready: 'table' },
    { name: 'devices', hash: '#/devices', ready: '#devices-title' },
  ];

  it('passes axe-core (no serious or critical violations) on every view, at phone and desktop width, light and dark', async () => {
    const found: Record<string, unknown> = {};
    for (const [size, viewport] of Object.entries({ phone: PHONE, desktop: DESKTOP })) {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme });
        for (const view of VIEWS) {
          await page.goto(`${demo.gateway.url}/${view.hash}`);
          await page.locator(view.ready).first().waitFor();
          // Fonts loaded and two frames painted since the view was ready: the screenshot shows what it drew.
          await page.evaluate(
            'document.fonts.ready.then(() => new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted))))',
          );
          await screenshot(page, `${view.name}-${size}-${colorScheme}`);
          const violations = await seriousAxeViolations(page);
          if (violations.length) found[`${view.name} ${size} ${colorScheme}`] = violations;
        }
      }
    }
    // The sign-in page too.
    const signInPage = await openPage(browser, { viewport: PHONE });
    await signInPage.page.goto(`${demo.gateway.url}/`);
    await signInPage.page.getByLabel('User name').waitFor();
    await screenshot(signInPage.page, 'sign-in-phone-light');
    const signInViolations = await seriousAxeViolations(signInPage.page);
    if (signInViolations.length) found['sign-in'] = signInViolations;
    await signInPage.context.close();
    expect(found).toEqual({});
    expect(problems.errors).toEqual([]);
  }, 120_000);
});
