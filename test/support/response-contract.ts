/**
 * Checks real responses against openapi.yaml from the outside, as a client sees them: the gateway writes
 * every reply with its production writer and the test's HTTP client validates what arrives. A response
 * whose status the operation does not declare, whose media type it does not list, or whose JSON (problem+json
 * included) does not match the schema fails the request it answers.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import supertest, { type Response } from 'supertest';
import { OPENAPI_FORMATS } from '../../src/http/request-validation.ts';
import { PACKAGE_ROOT } from '../../src/package-root.ts';
import { loadSpec } from '../../src/spec.ts';
import { parse } from 'yaml';

type Json = Record<string, unknown>;
interface MediaType {
  schema?: Json;
}
interface ResponseSpec {
  content?: Record<string, MediaType>;
}
interface OperationSpec {
  responses: Record<string, ResponseSpec | { $ref: string }>;
}

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

const DOCUMENT_ID = 'openapi.yaml';
const document = loadSpec().document as unknown as Json & { paths: Record<string, Partial<Record<Method, OperationSpec>>> };

const ajv = new Ajv({ strict: false, strictNumbers: true, allErrors: true, validateSchema: false });
addFormats.default(ajv);
for (const [name, format] of Object.entries(OPENAPI_FORMATS)) ajv.addFormat(name, format);
ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });

const compiled = new Map<Json, ValidateFunction>();
function validatorOf(schema: Json): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    const global = JSON.parse(JSON.stringify(schema), (key, value: unknown) =>
      key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${DOCUMENT_ID}${value}` : value,
    ) as Json;
    compiled.set(schema, (validate = ajv.compile(global)));
  }
  return validate;
}

/** Why `value` does not match `schema` (a node of openapi.yaml, its `$ref`s resolved there), or undefined. */
export function schemaViolation(schema: Json, value: unknown, dataVar = 'value'): string | undefined {
  const validate = validatorOf(schema);
  return validate(value) ? undefined : ajv.errorsText(validate.errors, { dataVar });
}

function resolve<T>(node: T | { $ref: string }): T {
  let current: unknown = node;
  while (current && typeof (current as { $ref?: unknown }).$ref === 'string') {
    const ref = (current as { $ref: string }).$ref;
    current = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Json)[key], document);
  }
  return current as T;
}

/** Spec paths as patterns; literal segments win over parameters, as in the gateway's router. */
const routes = Object.keys(document.paths)
  .map((path) => ({
    path,
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    parameters: (path.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.parameters - b.parameters);

const problemSchema = { $ref: '#/components/schemas/Problem' };

/** Why the response breaks the contract, or undefined when it keeps it. */
export function contractViolation(
  method: string,
  url: string,
  res: Pick<Response, 'status' | 'headers' | 'text' | 'body'>,
): string | undefined {
  const path = new URL(url, 'http://gateway').pathname;
  const mediaType = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const item = routes.find((route) => route.pattern.test(path));
  const verb = (method.toLowerCase() === 'head' ? 'get' : method.toLowerCase()) as Method;
  const operation = item ? document.paths[item.path]![verb] : undefined;
  const checkJson = (schema: Json): string | undefined => {
    if (method.toLowerCase() === 'head') return undefined;
    const validate = validatorOf(schema);
    return validate(JSON.parse(res.text)) ? undefined : ajv.errorsText(validate.errors, { dataVar: 'response' });
  };
  if (!operation) {
    // Outside the spec (docs, unknown routes, other methods): the only contract is that errors are problems.
    return mediaType === 'application/problem+json' ? checkJson(problemSchema) : undefined;
  }
  const declared =
    operation.responses[String(res.status)] ?? operation.responses[`${String(res.status)[0]}XX`] ?? operation.responses.default;
  if (!declared) return `status ${res.status} is not declared`;
  const content = resolve(declared).content;
  if (!content) return res.text ? `status ${res.status} declares no body, got ${mediaType}` : undefined;
  const media = content[mediaType];
  if (!media) return `status ${res.status} declares ${Object.keys(content).join(', ')}, got '${mediaType}'`;
  return media.schema && /[/+]json$/.test(mediaType) ? checkJson(media.schema) : undefined;
}

interface AsyncApiMessage {
  payload: { schemaFormat: string; schema: { $ref: string } };
}
const asyncapi = parse(readFileSync(new URL('asyncapi.yaml', PACKAGE_ROOT), 'utf8')) as {
  channels: { stream: { messages: Record<string, unknown> } };
  components: { messages: Record<string, AsyncApiMessage> };
};

/** Why a message of the live stream breaks asyncapi.yaml (whose payloads are openapi.yaml's components), or undefined. */
export function streamMessageViolation(message: unknown): string | undefined {
  const type = typeof message === 'object' && message !== null && 'type' in message ? String(message.type) : undefined;
  const declared = type === undefined || !(type in asyncapi.channels.stream.messages) ? undefined : asyncapi.components.messages[type];
  if (!declared) return `message type ${type} is not a message of the stream channel`;
  const [file, pointer] = declared.payload.schema.$ref.split('#');
  if (file !== './openapi.yaml') return `payload of ${type} refers to ${file}, not openapi.yaml`;
  const validate = validatorOf({ $ref: `#${pointer}` });
  return validate(message) ? undefined : ajv.errorsText(validate.errors, { dataVar: type });
}

type ClientMethod = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'head' | 'options';
export type ContractClient = Pick<ReturnType<typeof supertest>, ClientMethod>;

/** A supertest client of `url` whose every response must keep openapi.yaml (the request fails otherwise). */
export function contractClient(url: string): ContractClient {
  const client = supertest(url);
  const checked = (method: ClientMethod) => (path: string) =>
    client[method](path).expect((res: Response) => {
      const violation = contractViolation(method, path, res);
      if (violation) throw new Error(`${method.toUpperCase()} ${path} → ${res.status}: response does not match openapi.yaml: ${violation}`);
    });
  return {
    get: checked('get'),
    put: checked('put'),
    post: checked('post'),
    delete: checked('delete'),
    patch: checked('patch'),
    head: checked('head'),
    options: checked('options'),
  };
}
