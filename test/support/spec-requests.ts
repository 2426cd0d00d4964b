/**
 * Requests derived from openapi.yaml, so suites that iterate the spec cover new operations by themselves:
 * every operation with its path filled from the spec (`example`, enum, or a value matching `pattern`).
 */
import { listOperations, type SpecOperation } from '../../src/http/spec-operations.ts';
import { loadSpec } from '../../src/spec.ts';

type Json = Record<string, unknown>;

export interface SpecOperationInfo extends SpecOperation {
  /** Path and query parameters, resolved. */
  parameters: { name: string; in: string; required: boolean; schema: Json }[];
  /** The security requirements in force (the operation's or the document's). */
  security: Record<string, string[]>[];
  hasBody: boolean;
}

const document = loadSpec().document as unknown as Json;

function resolve(node: unknown): Json {
  let current = node as Json;
  for (let i = 0; i < 10 && current && typeof current.$ref === 'string'; i++) {
    const path = (current.$ref as string).replace(/^#\//, '').split('/');
    current = path.reduce<Json>((acc, key) => acc[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, document);
  }
  return current;
}

export function specOperations(): SpecOperationInfo[] {
  const paths = document.paths as Record<string, Record<string, Json>>;
  return listOperations(document as never).map((operation) => {
    const raw = paths[operation.path]![operation.method]!;
    const parameters = [
      ...((paths[operation.path]!.parameters as unknown as unknown[] | undefined) ?? []),
      ...((raw.parameters as unknown[] | undefined) ?? []),
    ].map((p) => {
      const param = resolve(p);
      return { name: param.name as string, in: param.in as string, required: param.required === true, schema: resolve(param.schema) };
    });
    return {
      ...operation,
      parameters,
      security: (raw.security ?? document.security) as Record<string, string[]>[],
      hasBody: raw.requestBody !== undefined,
    };
  });
}

const CANDIDATES = [
  '3',
  '1',
  'a',
  'abc',
  '7d',
  '2026-Q4',
  '2026-03-01',
  'chargepoint.3.power',
  '3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b',
  'owg_abcdefgh',
];

/** A value the spec accepts for a parameter schema. */
export function sampleValue(schema: Json): string {
  if (schema.example !== undefined) return String(schema.example);
  if (Array.isArray(schema.enum) && schema.enum.length) return String(schema.enum[0]);
  if (schema.format === 'uuid') return '3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b';
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern) : undefined;
  const fits = (v: string) =>
    (!pattern || pattern.test(v)) && v.length >= Number(schema.minLength ?? 0) && v.length <= Number(schema.maxLength ?? Infinity);
  const found = CANDIDATES.find(fits);
  if (found === undefined) throw new Error(`no sample value fits ${JSON.stringify(schema)}: add an example to openapi.yaml`);
  return found;
}

/** The operation's URL with every path parameter filled (overrides by name). */
export function urlOf(operation: SpecOperationInfo, overrides: Record<string, string> = {}): string {
  return operation.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const param = operation.parameters.find((p) => p.in === 'path' && p.name === name);
    if (!param) throw new Error(`${operation.operationId}: path parameter ${name} is not declared`);
    return encodeURIComponent(overrides[name] ?? sampleValue(param.schema));
  });
}
