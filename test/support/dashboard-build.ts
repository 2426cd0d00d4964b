/**
 * vitest globalSetup: the browser suites load the built dashboard (dist/dashboard, what `npm run build` makes and
 * the gateway serves). Build it with vite when it is missing or older than any of its sources, so that `npm test` on
 * a fresh clone, and after every change to dashboard/ or sdk/src/, tests the page as it stands.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['dashboard', 'sdk/src', 'package-lock.json'].map((path) => join(ROOT, path));
export const BUILT_PAGE = join(ROOT, 'dist/dashboard/index.html');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

export default async function buildDashboard(): Promise<void> {
  const builtAt = existsSync(BUILT_PAGE) ? statSync(BUILT_PAGE).mtimeMs : 0;
  if (builtAt > Math.max(...SOURCES.map(newestChange))) return;
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'dashboard/vite.config.ts'), logLevel: 'error' });
}
