import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { OpenApiDocument } from './http/spec-operations.ts';
import { PACKAGE_ROOT } from './package-root.ts';

export const SPEC_PATH = new URL('openapi.yaml', PACKAGE_ROOT);

/** The contract, read once: served as YAML and JSON, and given to the validator. */
export function loadSpec(): { yaml: string; document: OpenApiDocument & Record<string, unknown> } {
  const yaml = readFileSync(SPEC_PATH, 'utf8');
  return { yaml, document: parse(yaml) };
}

/** The live stream's contract (AsyncAPI 3), served beside the OpenAPI document it references. */
export function loadAsyncApi(): string {
  return readFileSync(new URL('asyncapi.yaml', PACKAGE_ROOT), 'utf8');
}
