/**
 * Headless Chromium for the dashboard's suites and bench/dashboard.ts: Debian's `chromium` driven by playwright-core
 * (no browser download), in a fresh temporary profile per launch. axe-core is run inside the page through the
 * DevTools protocol (page.evaluate), which the page's CSP does not govern, so the CSP stays on while it runs.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1440, height: 900 } as const;

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: run bash scripts/ensure-services.sh (apt-get install chromium)`);
  // launch() gives every browser a fresh temporary --user-data-dir of its own and removes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageProblems {
  /** CSP violations, uncaught errors and console errors of the page. */
  errors: string[];
}

/** A page in a fresh context, recording what would show a broken page (CSP violations, exceptions, console errors). */
export async function openPage(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; locale?: string; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    locale: options.locale ?? 'en-GB',
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (error) => problems.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A refused sign-in or an expected 401/404 of a probe logs "Failed to load resource"; those are the tests' to judge.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.errors.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's violations of impact serious or critical on the page as it is now (WCAG 2.x A and AA rules). */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  // A string, not a function: the test project is typed without the DOM library.
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((r) => r.violations)`,
  )) as { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Saves a full-page screenshot under test-artifacts/dashboard/ (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the form, as a person would. */
export async function signIn(
  page: Page,
  baseUrl: string,
  credentials: { name: string; password: string } | { apiKey: string },
): Promise<void> {
  await page.goto(`${baseUrl}/`);
  if ('apiKey' in credentials) {
    await page.getByRole('button', { name: /API key/i }).click();
    await page.getByLabel('API key').fill(credentials.apiKey);
  } else {
    await page.getByLabel('User name').fill(credentials.name);
    await page.getByLabel('Password').fill(credentials.password);
  }
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('[data-connection="live"]').waitFor({ timeout: 10_000 });
}
