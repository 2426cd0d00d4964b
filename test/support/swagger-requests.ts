/**
 * Requests as Swagger UI's "Try it out" pre-fills them from openapi.yaml: each parameter's `example` (the
 * parameter's, else its schema's), else its schema's `default`; the body from the media type's `example`,
 * else a sample made from the schema's property examples.
 */
import { loadSpec } from '../../src/spec.ts';
import type { SpecOperationInfo } from './spec-requests.ts';

type Json = Record<string, unknown>;
const document = loadSpec().document as unknown as Json;

function resolve(node: unknown): Json {
  let current = node as Json;
  for (let i = 0; i < 10 && current && typeof current.$ref === 'string'; i++) {
    current = (current.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<Json>((at, key) => at[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, document);
  }
  return current;
}

export interface PrefilledRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  /** Required parameters Swagger UI leaves empty (no example, no default): the user must type them. */
  unfilled: string[];
}

const serialise = (value: unknown) => (Array.isArray(value) ? value.join(',') : String(value));

/** The value Swagger UI puts in a parameter's field, or undefined for an empty field. */
export function prefilled(parameter: Json): unknown {
  const schema = resolve(parameter.schema);
  return parameter.example ?? schema?.example ?? schema?.default ?? parameter.default;
}

/** A body like Swagger UI's sample: every property, from its example, default, first enum value, or type. */
export function sampleBody(node: unknown): unknown {
  const schema = resolve(node);
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  // allOf: one schema merged from its parts (as Swagger UI merges them), siblings such as `example` winning.
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...own } = schema;
    const parts = (allOf as unknown[]).map(resolve);
    const properties = Object.assign({}, ...parts.map((p) => p.properties ?? {}), own.properties ?? {}) as Json;
    return sampleBody({ ...Object.assign({}, ...parts), ...own, ...(Object.keys(properties).length ? { properties } : {}) });
  }
  if (Array.isArray(schema.oneOf)) return sampleBody(schema.oneOf[0]);
  if (Array.isArray(schema.anyOf)) return sampleBody(schema.anyOf[0]);
  switch (schema.type) {
    case 'array':
      return [sampleBody(schema.items)];
    case 'integer':
    case 'number':
      return Number(schema.minimum ?? 0);
    case 'boolean':
      return true;
    case 'string':
      return 'string';
    default: {
      const properties = (schema.properties ?? {}) as Json;
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, sampleBody(property)]));
    }
  }
}

export function swaggerRequest(operation: SpecOperationInfo): PrefilledRequest {
  const item = (document.paths as Record<string, Json>)[operation.path]!;
  const raw = item[operation.method] as Json;
  const parameters = [...((item.parameters as unknown[]) ?? []), ...((raw.parameters as unknown[]) ?? [])].map(resolve);
  const request: PrefilledRequest = {
    method: operation.method,
    path: operation.path,
    query: {},
    headers: {},
    body: undefined,
    unfilled: [],
  };
  for (const parameter of parameters) {
    const value = prefilled(parameter);
    const name = parameter.name as string;
    if (value === undefined) {
      if (parameter.required) request.unfilled.push(name);
      continue;
    }
    if (parameter.in === 'path') request.path = request.path.replace(`{${name}}`, encodeURIComponent(serialise(value)));
    else if (parameter.in === 'query') request.query[name] = serialise(value);
    else if (parameter.in === 'header') request.headers[name] = serialise(value);
  }
  const media = (resolve(raw.requestBody)?.content as Record<string, Json> | undefined)?.['application/json'];
  if (media) request.body = media.example ?? sampleBody(media.schema);
  return request;
}
