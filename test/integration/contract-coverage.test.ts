/**
 * Contract coverage: every operation, and as many of its documented status codes as a demo gateway can be
 * brought to answer, exercised against the running gateway with every response checked against openapi.yaml
 * (problem+json included). Prints the coverage (operations × statuses); fails on any response outside the
 * spec and below 100 % of operations.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  operationOf,
  prepareDemo,
  remember,
  send,
  settle,
  swaggerCall,
  violationOf,
  type Call,
  type DemoIds,
} from '../support/contract-calls.ts';
import { startDemoGateway, type DemoGateway } from '../support/demo-gateway.ts';
import { specOperations, type SpecOperationInfo } from '../support/spec-requests.ts';
import { loadSpec } from '../../src/spec.ts';

type Json = Record<string, unknown>;
const document = loadSpec().document as unknown as {
  paths: Record<string, Record<string, { responses: Json; 'x-required-scope'?: string }>>;
};
const operations = specOperations().filter((o) => o.operationId !== 'openStream');
const documented = (o: SpecOperationInfo) => Object.keys(document.paths[o.path]![o.method]!.responses).filter((s) => s !== 'default');
// Above what the whole sweep sends the demo key within a minute (about 5 calls per operation), so only the 429 phase hits it.
const RATE_LIMIT = 600;
const countBy = (values: string[]) => values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());

describe('contract coverage: every operation and its documented statuses', () => {
  let demo: DemoGateway;
  let prepared: DemoIds;
  const keys: Record<string, string> = {};
  const seen = new Map<string, Set<string>>();
  const violations: string[] = [];

  async function exercise(call: Call): Promise<number> {
    const reply = await send(demo.gateway.url, call);
    const operationId = operationOf(call.method, call.url);
    if (operationId) remember(prepared, operationId, reply);
    const violation = violationOf(call, reply);
    if (violation) violations.push(`${call.method.toUpperCase()} ${call.url} → ${reply.status}: ${violation}`);
    if (operationId) (seen.get(operationId) ?? seen.set(operationId, new Set()).get(operationId)!).add(String(reply.status));
    return reply.status;
  }

  beforeAll(async () => {
    demo = await startDemoGateway({ RATE_LIMIT_KEY_PER_MIN: String(RATE_LIMIT) });
    prepared = await prepareDemo(demo, 'coverage');
    for (const scope of ['read', 'control', 'admin'] as const) {
      keys[scope] = (await demo.gateway.apiKeys.create({ name: scope, scopes: [scope] })).key;
    }
    keys.exhausted = (await demo.gateway.apiKeys.create({ name: 'exhausted', scopes: ['admin'] })).key;
  }, 60_000);
  afterAll(async () => {
    await demo?.close();
  });

  const order = (id: string) => (id === 'deleteUser' ? 2 : /^(delete|revoke|logout)/.test(id) ? 1 : 0);
  const sorted = [...operations].sort((a, b) => order(a.operationId) - order(b.operationId));

  it('answers each operation: its success, 400, 401, 403, 404, 409, 202 and 429', async () => {
    for (const operation of sorted) {
      await settle(demo, operation.operationId);
      const valid = swaggerCall(operation, prepared, demo.key);
      const statuses = documented(operation);
      await exercise(valid);
      if (statuses.includes('202')) await exercise({ ...valid, headers: { ...valid.headers, Prefer: 'respond-async' } });
      if (statuses.includes('409')) await exercise(valid); // made twice: a taken name or tag, a second change
      const sep = valid.url.includes('?') ? '&' : '?';
      if (statuses.includes('400')) await exercise({ ...valid, url: `${valid.url}${sep}unexpected=1` });
      if (operation.operationId === 'login')
        await exercise({ ...valid, body: { username: prepared.username, password: 'not the password' } });
      if (operation.operationId === 'refreshToken') await exercise({ ...valid, body: { refreshToken: `owr_${'A'.repeat(43)}` } });
      if (statuses.includes('401') && operation.security.length > 0) {
        const { 'x-api-key': _key, authorization: _token, ...anonymous } = valid.headers;
        await exercise({ ...valid, headers: { ...anonymous, 'x-api-key': `owg_abcdefgh_${'A'.repeat(43)}` } });
      }
      if (statuses.includes('403') && valid.headers['x-api-key']) {
        const needs = document.paths[operation.path]![operation.method]!['x-required-scope'];
        await exercise({ ...valid, headers: { ...valid.headers, 'x-api-key': needs === 'read' ? keys.control! : keys.read! } });
      }
      if (statuses.includes('404')) {
        const missing = valid.url
          .replace(/\/[0-9a-f-]{36}(?=\/|\?|$)/, `/${randomUUID()}`)
          .replace(/\/(chargepoints|vehicles)\/[^/?]+/, '/$1/99');
        await exercise({ ...valid, url: missing });
      }
    }
    // 429: one key's per-minute limit spent, then every operation with it.
    const spend = { method: 'get', url: '/api/v1/site', headers: { 'x-api-key': keys.exhausted! } };
    for (let i = 0; i < RATE_LIMIT; i += 25) await Promise.all(Array.from({ length: 25 }, () => send(demo.gateway.url, spend)));
    for (const operation of sorted.filter((o) => documented(o).includes('429') && o.security.length > 0)) {
      const valid = swaggerCall(operation, prepared, keys.exhausted!);
      if (valid.headers['x-api-key']) await exercise(valid);
    }

    const pairs = operations.flatMap((o) => documented(o).map((status) => [o.operationId, status] as const));
    const covered = pairs.filter(([id, status]) => seen.get(id)?.has(status));
    const missing = pairs.filter(([id, status]) => !seen.get(id)?.has(status));
    const opsCovered = operations.filter((o) => documented(o).some((s) => /^2/.test(s) && seen.get(o.operationId)?.has(s)));
    // eslint-disable-next-line no-console -- the coverage is a figure CI prints
    console.log(
      `contract coverage: operations ${opsCovered.length}/${operations.length} (${Math.round((100 * opsCovered.length) / operations.length)} %), ` +
        `statuses ${covered.length}/${pairs.length} (${Math.round((100 * covered.length) / pairs.length)} %)\n` +
        `not exercised (status × operations): ${[...countBy(missing.map(([, status]) => status))].map(([status, n]) => `${status} ×${n}`).join(', ')}\n` +
        missing.map(([id, status]) => `${id} ${status}`).join(', '),
    );
    expect(violations).toEqual([]);
    const uncovered = operations
      .filter((o) => !opsCovered.includes(o))
      .map((o) => `${o.operationId} (${[...(seen.get(o.operationId) ?? [])].join(', ')})`);
    expect(uncovered).toEqual([]);
  }, 120_000);
});
