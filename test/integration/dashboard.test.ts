/**
 * The dashboard in headless Chromium against a gateway on the real Mosquitto and Redis: sign-in (password and API
 * key), live values from the stream as openWB publishes them, stale values, a user restricted to one chargepoint,
 * and the headers that serve the page (CSP, caching).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenWbSimulator } from '../../src/openwb/simulator/index.ts';
import { addUser, startAuthGateway, type TestUser } from '../support/auth.ts';
import { launchBrowser, openPage, screenshot, signIn } from '../support/browser.ts';
import { openPublisher, type TestGateway } from '../support/gateway.ts';
import { services } from '../support/services.ts';
import { known } from './control-helpers.ts';

describe('the dashboard on the real broker and Redis', () => {
  let gw: TestGateway;
  let sim: OpenWbSimulator;
  let publisher: Awaited<ReturnType<typeof openPublisher>>;
  let browser: Browser;
  let owner: TestUser;
  let tenant: TestUser;

  beforeAll(async () => {
    gw = await startAuthGateway({ env: { STALE_AFTER_S: '3', STREAM_PING_S: '1' } });
    // Publishes chargepoints 3 and 4 and the site once (no timer): values change only when this suite publishes.
    sim = await OpenWbSimulator.start({ url: services.mqttUrl, topicPrefix: gw.topicPrefix, intervalMs: 0 });
    publisher = await openPublisher(gw.topicPrefix);
    await known(gw, '/api/v1/chargepoints/4');
    owner = await addUser(gw, 'owner', 'admin');
    tenant = await addUser(gw, 'tenant', 'user', ['3']);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await publisher?.close();
    await sim?.stop();
    await gw?.close();
  });

  it('serves the page publicly with a strict CSP, the page revalidated and hashed assets cached for good', async () => {
    const page = await fetch(`${gw.gateway.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(gw.gateway.url + asset);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    // Data stays behind credentials: the page's neighbours are the API's.
    expect((await fetch(`${gw.gateway.url}/api/v1/site`)).status).toBe(401);
    expect((await fetch(`${gw.gateway.url}/assets/nothing.js`)).status).toBe(404);
  });

  it('signs in with user name and password, shows live values, and a value openWB publishes appears on screen', async () => {
    const { context, page, problems } = await openPage(browser);
    try {
      await signIn(page, gw.gateway.url, owner);
      await expect
        .poll(() => page.locator('[data-chargepoint]').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-chargepoint'))))
        .toEqual(['3', '4']);
      await publisher.publish('openWB/counter/0/get/power', '2345', false);
      const grid = page.locator('[data-value="grid.power"]');
      await expect.poll(() => grid.locator('.num').textContent()).toBe('2.35 kW');
      expect(await grid.locator('.note').textContent()).toBe('import');
      await publisher.publish('openWB/counter/0/get/power', '-812', false);
      await expect.poll(() => grid.locator('.num').textContent()).toBe('812 W');
      expect(await grid.locator('.note').textContent()).toBe('export');
      expect(await grid.getAttribute('class')).not.toContain('stale');
      // Nobody here has pulse meters or measurement series: the menu leaves "Other devices" out.
      await page.locator('[data-route="devices"][data-probed]').waitFor({ state: 'attached' });
      expect(await page.locator('[data-route="devices"]').isHidden()).toBe(true);
      // Keyboard: the first Tab reaches the skip link, which leads into the page's content.
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.className')).toBe('skip');
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement.id')).toBe('main');
      // The refresh token is kept for the tab only; the access token never touches storage.
      const stored = (await page.evaluate('({ session: { ...sessionStorage }, local: { ...localStorage } })')) as {
        session: Record<string, string>;
        local: Record<string, string>;
      };
      expect(Object.keys(stored.session)).toEqual(['owg.refreshToken']);
      expect(stored.local).toEqual({});
      // A reload keeps the tab signed in (the refresh token is traded for a new pair).
      await page.reload();
      await page.locator('[data-connection="live"]').waitFor();
      expect(await page.evaluate("sessionStorage.getItem('owg.refreshToken')")).not.toBe(stored.session['owg.refreshToken']);
      // Signing out revokes the session and forgets the token; the form comes back without a notice.
      const refreshToken = (await page.evaluate("sessionStorage.getItem('owg.refreshToken')")) as string;
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('User name').waitFor();
      expect(await page.getByRole('alert').textContent()).toBe('');
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      const refresh = await gw.http.post('/api/v1/auth/refresh').send({ refreshToken });
      expect(refresh.status).toBe(401);
      expect(problems.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a value that stopped arriving as stale, with its age', async () => {
    const { context, page } = await openPage(browser);
    try {
      await signIn(page, gw.gateway.url, { apiKey: gw.readKey });
      await publisher.publish('openWB/bat/get/soc', '64', false);
      const soc = page.locator('[data-value="battery.soc"]');
      await expect.poll(() => soc.locator('.num').textContent()).toBe('64 %');
      // STALE_AFTER_S is 3: without new battery values the gateway marks the battery stale, and the page shows it.
      await expect.poll(() => soc.getAttribute('class'), { timeout: 10_000 }).toContain('stale');
      expect(await soc.locator('.age').textContent()).toMatch(/^stale · (\d+ s ago|just now)$/);
      expect(await soc.locator('.num').evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).textDecorationLine)).toBe(
        'line-through',
      );
      expect(await page.locator('.flow-bar').getAttribute('class')).toContain('stale');
      // A read-only key has no controls.
      await page.goto(`${gw.gateway.url}/#/chargepoint/3`);
      await page.locator('[data-chargepoint-view="3"]').waitFor();
      expect(await page.locator('[data-mode]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('shows a user restricted to one chargepoint only that chargepoint, with its controls', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'de-DE' });
    try {
      await page.goto(`${gw.gateway.url}/`);
      await page.getByLabel('Benutzername').fill(tenant.name);
      await page.getByLabel('Passwort').fill(tenant.password);
      await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
      await page.locator('[data-connection="live"]').waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('de');
      await expect
        .poll(() => page.locator('[data-chargepoint]').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-chargepoint'))))
        .toEqual(['3']);
      await screenshot(page, 'live-desktop-de-one-chargepoint');
      await page.goto(`${gw.gateway.url}/#/chargepoint/4`);
      await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('gehört nicht');
      await page.goto(`${gw.gateway.url}/#/chargepoint/3`);
      expect(await page.locator('[data-mode]').count()).toBe(6);
      expect(problems.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('refuses a wrong password with a message and keeps the form', async () => {
    const { context, page } = await openPage(browser);
    try {
      await page.goto(`${gw.gateway.url}/`);
      await page.getByLabel('User name').fill(owner.name);
      await page.getByLabel('Password').fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Sign-in failed: /);
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
    } finally {
      await context.close();
    }
  });
});
