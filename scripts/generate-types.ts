/**
 * Generates the TypeScript types of openapi.yaml with openapi-typescript: generated/openapi.ts for the gateway
 * and sdk/src/generated/openapi.ts for the SDK (the same types plus a named alias per component, e.g.
 * `SchemaChargePoint`, for app code). With `--check` it fails when a committed file differs from what the spec
 * generates (the drift check run by `npm run check` and CI).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPITSOptions } from 'openapi-typescript';

const SPEC = new URL('../openapi.yaml', import.meta.url);
const BANNER = '// THIS FILE IS GENERATED FROM openapi.yaml BY `npm run generate`. DO NOT EDIT.\n\n';

const OUTPUTS: { file: URL; options: OpenAPITSOptions }[] = [
  { file: new URL('../generated/openapi.ts', import.meta.url), options: {} },
  { file: new URL('../sdk/src/generated/openapi.ts', import.meta.url), options: { rootTypes: true } },
];

const check = process.argv.includes('--check');
let stale = 0;
for (const { file, options } of OUTPUTS) {
  const started = performance.now();
  const expected = BANNER + astToString(await openapiTS(SPEC, options));
  const name = fileURLToPath(file).slice(fileURLToPath(new URL('..', import.meta.url)).length);
  if (check) {
    const actual = await readFile(file, 'utf8').catch(() => '');
    if (actual === expected) continue;
    console.error(`${name} is out of date with openapi.yaml: run \`npm run generate\` and commit the result.`);
    stale += 1;
  } else {
    await writeFile(file, expected);
    console.log(`wrote ${name} in ${Math.round(performance.now() - started)} ms`);
  }
}
if (stale > 0) process.exit(1);
if (check) console.log('generated/openapi.ts and sdk/src/generated/openapi.ts match openapi.yaml');
