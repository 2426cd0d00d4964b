import { existsSync } from 'node:fs';

/**
 * The package's root directory (package.json, openapi.yaml), found from this module whether it runs as
 * source (src/, through tsx) or compiled (dist/src/, as `npm start` runs it).
 */
function findPackageRoot(): URL {
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 4; depth++) {
    if (existsSync(new URL('package.json', dir))) return dir;
    dir = new URL('..', dir);
  }
  throw new Error(`No package.json above ${import.meta.url}`);
}

export const PACKAGE_ROOT = findPackageRoot();
