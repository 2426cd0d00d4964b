/**
 * A schema-driven fuzzer over every operation of openapi.yaml, seeded so a run can be repeated: valid
 * requests (Swagger UI's examples), boundary values from each parameter's schema, hostile parameters and
 * path segments, broken and oversized bodies, wrong content types and methods, missing or forged
 * credentials. Every reply must be declared by the spec and match it (problem+json included), never a
 * 5xx, and arrive within the per-request timeout.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { prepareDemo, send, swaggerCall, violationOf, type Call, type DemoIds } from '../support/contract-calls.ts';
import { startDemoGateway } from '../support/demo-gateway.ts';
import { specOperations, type SpecOperationInfo } from '../support/spec-requests.ts';

export interface FuzzOptions {
  seed: number;
  requests: number;
  concurrency?: number;
  timeoutMs?: number;
  /** Operations left out (by operationId), to find which ones a finding needs (bench/fuzz-memory.ts). */
  skip?: RegExp;
}

export interface FuzzReport {
  seed: number;
  sent: number;
  statuses: Record<string, number>;
  serverErrors: string[];
  violations: string[];
  hangs: string[];
  rssBeforeMb: number;
  rssAfterMb: number;
  /** V8's heap in use after a full collection: a leak of JS objects shows here, allocator slack only in RSS. */
  heapBeforeMb: number;
  heapAfterMb: number;
  seconds: number;
}

/** mulberry32: a small, fast PRNG whose sequence a seed fixes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_TEXT = [
  '',
  ' ',
  'Infinity',
  '-Infinity',
  'NaN',
  '0x10',
  '1e2',
  ' 5',
  '5 ',
  '-1',
  '0',
  '99999999999999999999',
  '1.5',
  'null',
  'true',
  '[]',
  '{}',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '\u202e\u0000',
  '😀',
  'a'.repeat(5000),
  'é'.repeat(300),
  '\\',
  ',,,',
  'a,b,c',
  '2026-02-30',
  '2026-03-01T25:00',
  'notadate',
  '9'.repeat(40),
  '%',
  '%zz',
  '%00',
];
const HOSTILE_NUMBERS = ['Infinity', '-Infinity', 'NaN', '0x10', '1e2', ' 5', '5 ', '1.5', '-0', '1e309', '9'.repeat(20), '+5', ''];
const HOSTILE_JSON: unknown[] = [
  null,
  -1,
  0,
  1e308,
  -1e308,
  1.5,
  '',
  'x'.repeat(5000),
  [],
  {},
  true,
  'null',
  [null],
  { a: { b: { c: {} } } },
  Array.from({ length: 2000 }, () => 1),
  JSON.parse(`${'['.repeat(500)}${']'.repeat(500)}`),
];
const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
];
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'options', 'head'];

type Json = Record<string, unknown>;

/** Values at and just beyond the schema's bounds. */
function boundaries(schema: Json): string[] {
  const out: string[] = [];
  if (typeof schema.minimum === 'number') out.push(String(schema.minimum), String(schema.minimum - 1));
  if (typeof schema.maximum === 'number') out.push(String(schema.maximum), String(schema.maximum + 1));
  if (typeof schema.minLength === 'number') out.push('a'.repeat(schema.minLength), 'a'.repeat(Math.max(0, schema.minLength - 1)));
  if (typeof schema.maxLength === 'number') out.push('a'.repeat(schema.maxLength), 'a'.repeat(schema.maxLength + 1));
  if (Array.isArray(schema.enum)) out.push(...schema.enum.map(String), `${String(schema.enum[0])}x`);
  return out.length ? out : ['a'];
}

export function createCalls(seed: number, demo: DemoIds, key: string, skip?: RegExp): () => Call {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const operations = specOperations().filter((o) => o.operationId !== 'openStream' && !skip?.test(o.operationId));

  const withParameter = (call: Call, operation: SpecOperationInfo, value: string, raw: boolean): Call => {
    const parameters = operation.parameters.filter((p) => p.in === 'path' || p.in === 'query');
    if (!parameters.length) return { ...call, url: `${call.url}${call.url.includes('?') ? '&' : '?'}${encodeURIComponent(value)}=1` };
    const parameter = pick(parameters);
    const encoded = raw ? value.replace(/[#?/ ]/g, encodeURIComponent) : encodeURIComponent(value);
    if (parameter.in === 'path') {
      const segments = operation.path.split('/');
      const index = segments.indexOf(`{${parameter.name}}`);
      const actual = call.url.split('?')[0]!.split('/');
      actual[index] = encoded;
      const query = call.url.includes('?') ? `?${call.url.split('?')[1]}` : '';
      return { ...call, url: actual.join('/') + query };
    }
    const url = new URL(call.url, 'http://x');
    url.searchParams.delete(parameter.name);
    const query = [url.search.slice(1), `${parameter.name}=${encoded}`].filter(Boolean).join('&');
    return { ...call, url: `${url.pathname}?${query}` };
  };

  // Hostile values aim at one parameter of all the spec's (operation, parameter) pairs, so an operation with
  // many parameters is not hit less often per parameter; numbers get number-shaped hostility.
  const targets = operations.flatMap((operation) =>
    operation.parameters.filter((p) => p.in === 'path' || p.in === 'query').map((parameter) => ({ operation, parameter })),
  );

  return () => {
    if (random() < 0.15) {
      const { operation, parameter } = pick(targets);
      const numeric = parameter.schema.type === 'integer' || parameter.schema.type === 'number';
      const value = pick(numeric && random() < 0.7 ? HOSTILE_NUMBERS : HOSTILE_TEXT);
      return withParameter(swaggerCall(operation, demo, key), { ...operation, parameters: [parameter] }, value, random() < 0.3);
    }
    const operation = pick(operations);
    const valid = swaggerCall(operation, demo, key);
    const roll = random();
    if (roll < 0.25) return valid;
    if (roll < 0.45) {
      const parameters = operation.parameters.filter((p) => p.in === 'path' || p.in === 'query');
      if (!parameters.length) return valid;
      const parameter = pick(parameters);
      return withParameter(valid, { ...operation, parameters: [parameter] }, pick(boundaries(parameter.schema)), false);
    }
    if (roll < 0.65) return withParameter(valid, operation, pick(HOSTILE_TEXT), random() < 0.3);
    if (roll < 0.8 && operation.hasBody) {
      const body = valid.body as Json | undefined;
      const kind = random();
      if (kind < 0.4 && body && typeof body === 'object') {
        const names = Object.keys(body);
        const name = names.length && random() < 0.8 ? pick(names) : 'unexpected';
        return { ...valid, body: { ...body, [name]: pick(HOSTILE_JSON) } };
      }
      if (kind < 0.6) return { ...valid, body: pick(HOSTILE_JSON) ?? 'null' };
      if (kind < 0.75) return { ...valid, body: '{"a":', headers: { ...valid.headers, 'content-type': 'application/json' } };
      if (kind < 0.85)
        return {
          ...valid,
          body: JSON.stringify({ pad: 'x'.repeat(70_000) }),
          headers: { ...valid.headers, 'content-type': 'application/json' },
        };
      const contentType = random() < 0.5 ? pick(CONTENT_TYPES) : `text/plain; x=${Math.floor(random() * 1e9)}`;
      return { ...valid, body: 'text', headers: { ...valid.headers, 'content-type': contentType } };
    }
    if (roll < 0.88) {
      const { 'x-api-key': _key, authorization: _token, ...rest } = valid.headers;
      const forged = pick<Record<string, string>>([
        {},
        { 'x-api-key': 'hello' },
        { 'x-api-key': `owg_abcdefgh_${'A'.repeat(43)}` },
        { authorization: 'Bearer a.b.c' },
        { authorization: 'Basic eDp5' },
      ]);
      return { ...valid, headers: { ...rest, ...forged } };
    }
    if (roll < 0.94) return { ...valid, method: pick(METHODS), body: undefined };
    // Hostile headers the spec knows (Prefer) or does not, and an unknown path.
    if (random() < 0.5) return { ...valid, headers: { ...valid.headers, Prefer: pick(HOSTILE_TEXT).replace(/[^\x20-\x7e]/g, '') } };
    return { ...valid, url: `/api/v1/${encodeURIComponent(pick(HOSTILE_TEXT))}/${'z'.repeat(Math.floor(random() * 3000))}` };
  };
}

let collect: (() => void) | undefined;
function gc(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const memory = () => {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: mb(rss), heap: mb(heapUsed) };
};

/** A demo gateway in this process, fuzzed; the RSS is measured after a warm-up (a third of the requests, at most 1000). */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const demo = await startDemoGateway({
    RATE_LIMIT_IP_PER_MIN: '1000000000',
    RATE_LIMIT_KEY_PER_MIN: '1000000000',
    RATE_LIMIT_KEY_PER_DAY: '1000000000',
    LOGIN_MAX_DELAY_MS: '0',
    LOGIN_MAX_FAILURES_PER_IP: '1000000',
    COMMAND_TIMEOUT_S: '2',
  });
  const report: FuzzReport = {
    seed: options.seed,
    sent: 0,
    statuses: {},
    serverErrors: [],
    violations: [],
    hangs: [],
    rssBeforeMb: 0,
    rssAfterMb: 0,
    heapBeforeMb: 0,
    heapAfterMb: 0,
    seconds: 0,
  };
  try {
    const prepared = await prepareDemo(demo, 'fuzzer');
    const next = createCalls(options.seed, prepared, demo.key, options.skip);
    const calls = Array.from({ length: options.requests }, next);
    // RSS settles once every kind of request has been served a few hundred times (JIT code, pools, caches).
    const warmUp = Math.min(1000, Math.floor(options.requests / 3));
    let index = 0;
    const worker = async () => {
      for (let i = index++; i < calls.length; i = index++) {
        if (i === warmUp) ({ rss: report.rssBeforeMb, heap: report.heapBeforeMb } = memory());
        const call = calls[i]!;
        const label = `${call.method.toUpperCase()} ${call.url.slice(0, 200)}`;
        try {
          const reply = await send(demo.gateway.url, call, options.timeoutMs ?? 10_000);
          report.sent++;
          report.statuses[reply.status] = (report.statuses[reply.status] ?? 0) + 1;
          if (reply.status >= 500) report.serverErrors.push(`${label} → ${reply.status} ${reply.text.slice(0, 300)}`);
          const violation = violationOf(call, reply);
          if (violation) report.violations.push(`${label} → ${reply.status}: ${violation.slice(0, 300)}`);
        } catch (error) {
          report.sent++;
          report.hangs.push(`${label}: ${(error as Error).name} ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
    ({ rss: report.rssAfterMb, heap: report.heapAfterMb } = memory());
  } finally {
    await demo.close();
  }
  report.seconds = Math.round((performance.now() - started) / 100) / 10;
  return report;
}

export function summary(report: FuzzReport): string {
  const statuses = Object.entries(report.statuses)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  return [
    `fuzz seed ${report.seed}: ${report.sent} requests in ${report.seconds} s`,
    `statuses: ${statuses}`,
    `5xx: ${report.serverErrors.length}, spec violations: ${report.violations.length}, hangs: ${report.hangs.length}`,
    `RSS after warm-up ${report.rssBeforeMb} MB → ${report.rssAfterMb} MB (growth ${mb((report.rssAfterMb - report.rssBeforeMb) * 2 ** 20)} MB); ` +
      `V8 heap ${report.heapBeforeMb} MB → ${report.heapAfterMb} MB`,
    ...[...report.serverErrors, ...report.violations, ...report.hangs].slice(0, 20),
  ].join('\n');
}
