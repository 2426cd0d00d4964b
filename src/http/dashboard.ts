import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';
import { NotFoundError } from '../errors.ts';
import { PACKAGE_ROOT } from '../package-root.ts';

/** Where `npm run build` (vite, dashboard/vite.config.ts) writes the dashboard. */
export const DASHBOARD_DIR = fileURLToPath(new URL('dist/dashboard/', PACKAGE_ROOT));

const PAGE_PATHS = new Set(['/', '/index.html', '/favicon.svg', '/manifest.webmanifest']);

/** The paths of the dashboard's public files: the page, its icon and its hashed assets. Everything else is the API's. */
export function isDashboardPath(path: string): boolean {
  return PAGE_PATHS.has(path) || path.startsWith('/assets/');
}

/**
 * Serves the built dashboard: public static files only (every datum it shows comes from the API with the
 * user's credentials). Hashed assets never change under their name, so browsers keep them a year without asking
 * again; the page itself is revalidated on every load so that a new build reaches users at once.
 */
export function dashboardFiles(dir: string = DASHBOARD_DIR): RequestHandler {
  const files = express.static(dir, {
    index: 'index.html',
    redirect: false,
    dotfiles: 'deny',
    etag: true,
    lastModified: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      const hashed = path.includes('/assets/') || path.includes('\\assets\\');
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isDashboardPath(req.path)) return next();
    if (!existsSync(dir)) return next(new NotFoundError('The dashboard is not built here: run `npm run build`'));
    files(req, res, next);
  };
}
