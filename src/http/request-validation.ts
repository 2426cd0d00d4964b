import type { Request } from 'express';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenApiDocument, SpecOperation } from './spec-operations.ts';

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  description?: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  style?: string;
  explode?: boolean;
  /** Other names clients send this query parameter under (e.g. `ids[]`); their values join the parameter's. */
  'x-alias-names'?: string[];
  /** An array query parameter whose values may also be comma-separated lists (`ids=a,b&ids=c`). */
  'x-comma-separated'?: boolean;
}

/** How the query's names and values map onto an operation's query parameters. */
interface QueryShape {
  known: ReadonlySet<string>;
  /** Alias name → parameter name. */
  aliases: ReadonlyMap<string, string>;
  /** `explode: false` arrays: a single value is split on commas. */
  commaSeparated: readonly string[];
  /** `x-comma-separated` arrays: every value is split on commas. */
  commaSeparatedItems: readonly string[];
}

interface RequestBody {
  required?: boolean;
  content?: Record<string, { schema?: Schema }>;
}

interface Document extends OpenApiDocument {
  components?: Record<string, Record<string, unknown>>;
}

/** What a handler gets from a valid request: parameters coerced to their types, defaults applied. */
export interface ValidRequest {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  /** The operation's header parameters, by their names in the spec. */
  headers: Record<string, unknown>;
  body: unknown;
}

const NO_HEADERS: Record<string, unknown> = Object.freeze({});

/** Checks a request against its operation and returns its input, or throws RequestValidationError. */
export type RequestValidator = (req: Request) => ValidRequest;

/** One problem in a request, as problem+json's `errors` lists it: `path` is `/params/…`, `/query/…`, `/headers/…` or `/body/…`. */
export interface RequestProblem {
  path: string;
  message: string;
  errorCode: string;
}

/** A request that does not match its operation in openapi.yaml: 400 (or 415), rendered by problem.ts. */
export class RequestValidationError extends Error {
  constructor(
    readonly status: 400 | 415,
    readonly errors: RequestProblem[],
  ) {
    super(errors.map((e) => `request${e.path} ${e.message}`).join(', '));
  }
}

/** OpenAPI's number and string formats beyond JSON Schema's, as express-openapi-validator defines them for responses. */
export const OPENAPI_FORMATS = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n <= 2 ** 31 - 1 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  float: { type: 'number', validate: () => true },
  double: { type: 'number', validate: () => true },
  password: { type: 'string', validate: () => true },
} as const;

/** The id under which the document's components are registered, so every operation shares their compiled code. */
const DOCUMENT_ID = 'openapi.yaml';

function createAjv(coerceTypes: boolean, components: object): Ajv {
  // strict: false because the schemas carry OpenAPI keywords (example, nullable, x-…) next to JSON Schema's.
  // verbose: an error carries its schema, whose `x-invalid-message` (openapi.yaml) says what a value must be.
  const ajv = new Ajv({
    strict: false,
    strictNumbers: true,
    allErrors: false,
    useDefaults: true,
    coerceTypes,
    validateSchema: false,
    verbose: true,
  });
  addFormats.default(ajv);
  for (const [name, format] of Object.entries(OPENAPI_FORMATS)) ajv.addFormat(name, format);
  ajv.addSchema({ $id: DOCUMENT_ID, components });
  return ajv;
}

/** An operation's schema with its local references (`#/components/…`) pointing into the registered document. */
function global<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) =>
    key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${DOCUMENT_ID}${value}` : value,
  ) as T;
}

/**
 * Request validation against openapi.yaml, compiled once per operation with Ajv: path, query and header
 * parameters (coerced from strings to their schema types, defaults applied, unknown query parameters
 * refused, `explode: false` arrays split on commas; for clients that send arrays their own ways, the
 * extensions `x-alias-names` (other names, e.g. `ids[]`) and `x-comma-separated` (every value a list))
 * and the JSON body. It runs in the operation's last step, after security, so a request costs one
 * compiled check and no new lookup.
 *
 * express-openapi-validator did this until its per-request work (re-parsing the URL, dereferencing every
 * parameter, redefining `req.query`) became a fifth of the gateway's cost per read at the target
 * throughput (`node --import tsx bench/http.ts`); it stays as the oracle this validation is tested against
 * (test/unit/http/request-validation-oracle.test.ts).
 */
export function createRequestValidation(document: Document): (operation: SpecOperation) => RequestValidator {
  const deref = <T>(node: T): T => resolveRef(document, node);
  const components = document.components ?? {};
  const coercing = createAjv(true, components);
  const exact = createAjv(false, components);

  return (operation) => {
    const item = document.paths[operation.path] as Record<string, unknown>;
    const spec = item[operation.method] as { parameters?: unknown[]; requestBody?: unknown };
    const parameters = mergeParameters(
      [...((item.parameters as unknown[]) ?? []), ...(spec.parameters ?? [])].map((p) => deref(p as Parameter)),
    );
    const query = parameters.filter((p) => p.in === 'query');
    const isArray = (p: Parameter) => deref(p.schema)?.type === 'array';
    const aliases = new Map(query.flatMap((p) => (p['x-alias-names'] ?? []).map((alias) => [alias, p.name] as const)));
    const shape: QueryShape = {
      known: new Set([...query.map((p) => p.name), ...aliases.keys()]),
      aliases,
      commaSeparated: query.filter((p) => p.explode === false && isArray(p)).map((p) => p.name),
      commaSeparatedItems: query.filter((p) => p['x-comma-separated'] === true && isArray(p)).map((p) => p.name),
    };
    const validateParameters = coercing.compile(
      global({
        type: 'object',
        properties: {
          params: objectOf(parameters.filter((p) => p.in === 'path')),
          query: objectOf(query),
          headers: {
            ...objectOf(parameters.filter((p) => p.in === 'header').map((p) => ({ ...p, name: p.name.toLowerCase() }))),
            additionalProperties: true,
          },
        },
      }),
    );
    const numeric = numericParameters(parameters, deref);
    const descriptions = new Map(parameters.map((p) => [`/${LOCATION[p.in as keyof typeof LOCATION]}/${p.name}`, p.description]));
    const headerNames = parameters.filter((p) => p.in === 'header').map((p) => p.name);
    const headersOf = (req: Request) =>
      headerNames.length ? Object.fromEntries(headerNames.map((name) => [name, req.headers[name.toLowerCase()]])) : NO_HEADERS;
    const body = spec.requestBody ? deref(spec.requestBody as RequestBody) : undefined;
    const bodySchema = body?.content?.['application/json']?.schema;
    const validateBody = bodySchema ? exact.compile(global(bodySchema)) : undefined;

    return (req) => {
      const input = { params: req.params, query: queryOf(req, shape), headers: req.headers };
      if (numeric.length) parseNumbers(input, numeric);
      if (!validateParameters(input)) throw new RequestValidationError(400, problems(validateParameters, '', descriptions));
      if (body) checkBody(req, body.required === true, validateBody);
      return { params: input.params, query: input.query, headers: headersOf(req), body: req.body };
    };
  };
}

/** The query as an own object (the validator coerces it in place); unknown names are refused, aliases merged. */
function queryOf(req: Request, shape: QueryShape): Record<string, unknown> {
  if (!req.url.includes('?')) return {};
  const query = { ...(req.query as Record<string, unknown>) };
  for (const name in query) {
    if (!shape.known.has(name))
      throw new RequestValidationError(400, [
        { path: `/query/${name}`, message: `Unknown query parameter '${name}'`, errorCode: 'unknown.openapi.validation' },
      ]);
    const canonical = shape.aliases.get(name);
    if (canonical !== undefined) {
      query[canonical] = [...valuesOf(query[canonical]), ...valuesOf(query[name])];
      delete query[name];
    }
  }
  for (const name of shape.commaSeparated) {
    const value = query[name];
    if (typeof value === 'string') query[name] = value.split(',');
  }
  for (const name of shape.commaSeparatedItems) {
    if (query[name] !== undefined)
      query[name] = valuesOf(query[name]).flatMap((value) => (typeof value === 'string' ? value.split(',') : [value]));
  }
  return query;
}

const valuesOf = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

type NumberKind = 'integer' | 'number';

interface NumericParameter {
  location: 'params' | 'query' | 'headers';
  name: string;
  kind: NumberKind;
}

const LOCATION = { path: 'params', query: 'query', header: 'headers' } as const;

/** The parameters (or the items of array parameters) that are integers or numbers. */
function numericParameters(parameters: readonly Parameter[], deref: <T>(node: T) => T): NumericParameter[] {
  return parameters.flatMap((p): NumericParameter[] => {
    const schema = deref(p.schema);
    const type = schema?.type === 'array' ? deref(schema.items as Schema | undefined)?.type : schema?.type;
    if ((type !== 'integer' && type !== 'number') || p.in === 'cookie') return [];
    return [{ location: LOCATION[p.in], name: p.in === 'header' ? p.name.toLowerCase() : p.name, kind: type }];
  });
}

/**
 * Decimal notation only. Ajv's coercion takes whatever `Number()` takes (`Infinity`, `0x10`, `1e2`, ` 5`), so
 * numbers are parsed here and Ajv sees a number, or the request is refused.
 */
const GRAMMAR: Record<NumberKind, RegExp> = { integer: /^-?[0-9]{1,16}$/, number: /^-?[0-9]{1,16}(\.[0-9]{1,16})?$/ };
const EXPECTED: Record<NumberKind, string> = {
  integer: 'must be an integer in decimal digits',
  number: 'must be a decimal number (digits, an optional fraction)',
};

function parseNumbers(input: Record<NumericParameter['location'], Record<string, unknown>>, numeric: readonly NumericParameter[]): void {
  for (const { location, name, kind } of numeric) {
    const values = location === 'headers' ? input.headers : input[location];
    const value = values[name];
    if (value === undefined) continue;
    const parse = (text: unknown): unknown => {
      if (typeof text !== 'string') return text;
      if (!GRAMMAR[kind].test(text))
        throw new RequestValidationError(400, [
          { path: `/${location}/${name}`, message: EXPECTED[kind], errorCode: 'type.openapi.validation' },
        ]);
      return Number(text);
    };
    const parsed = Array.isArray(value) ? value.map(parse) : parse(value);
    if (location === 'headers') continue; // checked only: handlers read header parameters from the request
    values[name] = parsed;
  }
}

function checkBody(req: Request, required: boolean, validate: ValidateFunction | undefined): void {
  const sent =
    req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (sent && !req.is('application/json')) {
    throw new RequestValidationError(415, [
      { path: '/headers/content-type', message: 'must be application/json', errorCode: 'type.openapi.validation' },
    ]);
  }
  if (req.body === undefined) {
    if (required)
      throw new RequestValidationError(400, [
        { path: '/body', message: 'must have a JSON body', errorCode: 'required.openapi.validation' },
      ]);
    return;
  }
  if (validate && !validate(req.body)) throw new RequestValidationError(400, problems(validate, '/body'));
}

/**
 * One problem per Ajv error. A missing parameter says what it is (its description in the spec); a value
 * whose schema has `x-invalid-message` says what it must be, instead of the first keyword it failed.
 */
function problems(validate: ValidateFunction, prefix: string, descriptions?: ReadonlyMap<string, string | undefined>): RequestProblem[] {
  return (validate.errors ?? []).map((error: ErrorObject) => {
    const missing = error.keyword === 'required' ? `/${(error.params as { missingProperty: string }).missingProperty}` : '';
    const extra = error.keyword === 'additionalProperties' ? `/${(error.params as { additionalProperty: string }).additionalProperty}` : '';
    const path = `${prefix}${error.instancePath}${missing}${extra}`;
    const described = missing ? descriptions?.get(path) : undefined;
    const expected = (error.parentSchema as Schema | undefined)?.['x-invalid-message'];
    const message = described ? `is required: ${described}` : typeof expected === 'string' ? expected : (error.message ?? 'is invalid');
    return { path, message, errorCode: `${error.keyword}.openapi.validation` };
  });
}

function objectOf(parameters: readonly Parameter[]): Schema {
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema ?? {}])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

/** Operation parameters override path-item parameters of the same name and location (OpenAPI 3.0). */
function mergeParameters(parameters: readonly Parameter[]): Parameter[] {
  return [...new Map(parameters.map((p) => [`${p.in}:${p.name}`, p])).values()];
}

function resolveRef<T>(document: object, node: T): T {
  let current: unknown = node;
  for (let depth = 0; depth < 10; depth++) {
    const ref = (current as { $ref?: unknown } | undefined)?.$ref;
    if (typeof ref !== 'string') return current as T;
    if (!ref.startsWith('#/')) throw new Error(`openapi.yaml: only local references are supported, not ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    if (current === undefined) throw new Error(`openapi.yaml: ${ref} does not resolve`);
  }
  throw new Error('openapi.yaml: reference chain too deep');
}
