/**
 * Generates generated/openapi.ts from openapi.yaml with openapi-typescript, or with `--check` fails when the
 * committed file differs from what the spec generates (the drift check run by `npm run check` and CI).
 */
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';

const SPEC = new URL('../openapi.yaml', import.meta.url);
const OUTPUT = new URL('../generated/openapi.ts', import.meta.url);
const BANNER = '// THIS FILE IS GENERATED FROM openapi.yaml BY `npm run generate`. DO NOT EDIT.\n\n';

const ast = await openapiTS(SPEC);
const expected = BANNER + astToString(ast);

if (process.argv.includes('--check')) {
  const actual = await readFile(OUTPUT, 'utf8').catch(() => '');
  if (actual !== expected) {
    console.error('generated/openapi.ts is out of date with openapi.yaml: run `npm run generate` and commit the result.');
    process.exit(1);
  }
  console.log('generated/openapi.ts matches openapi.yaml');
} else {
  await writeFile(OUTPUT, expected);
  console.log('wrote generated/openapi.ts');
}
