/**
 * Swagger UI's "Try it out" with what it pre-fills from openapi.yaml, against a gateway in demo mode: every
 * operation answers a documented success status. Only what no example can know is typed in, as a user
 * would: ids of things made first (a user, a key, a profile, a command, a session), and credentials.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { prepareDemo, remember, send, settle, swaggerCall, type DemoIds } from '../support/contract-calls.ts';
import { startDemoGateway, type DemoGateway } from '../support/demo-gateway.ts';
import { specOperations } from '../support/spec-requests.ts';
import { swaggerRequest } from '../support/swagger-requests.ts';
import { contractViolation } from '../support/response-contract.ts';
import { loadSpec } from '../../src/spec.ts';

type Json = Record<string, unknown>;
const document = loadSpec().document as unknown as { paths: Record<string, Record<string, { responses: Json }>> };

describe("Swagger UI's pre-filled requests against the demo", () => {
  let demo: DemoGateway;
  let prepared: DemoIds;

  beforeAll(async () => {
    demo = await startDemoGateway();
    prepared = await prepareDemo(demo);
  }, 60_000);
  afterAll(async () => {
    await demo?.close();
  });

  const operations = specOperations().filter((o) => o.operationId !== 'openStream');
  // Destructive operations last, so the others still find what they delete.
  const order = (id: string) => (id === 'deleteUser' ? 2 : /^(delete|revoke|logout)/.test(id) ? 1 : 0);
  operations.sort((a, b) => order(a.operationId) - order(b.operationId));

  it.each(operations.map((o) => [o.operationId, o] as const))('%s', async (_id, operation) => {
    const unfilled = swaggerRequest(operation).unfilled.filter((name) => prepared.ids[name] === undefined);
    if (unfilled.length) throw new Error(`${operation.operationId}: required ${unfilled.join(', ')} without an example`);
    await settle(demo, operation.operationId);
    const call = swaggerCall(operation, prepared, demo.key);
    const reply = await send(demo.gateway.url, call);
    remember(prepared, operation.operationId, reply);
    const documented = Object.keys(document.paths[operation.path]![operation.method]!.responses).filter((s) => /^2/.test(s));
    const violation = contractViolation(call.method, call.url, { ...reply, body: undefined });
    const outcome = documented.includes(String(reply.status)) ? (violation ?? 'documented success') : `${reply.status} ${reply.text}`;
    if (outcome !== 'documented success')
      throw new Error(`${call.method.toUpperCase()} ${call.url} ${JSON.stringify(call.body) ?? ''}: ${outcome.slice(0, 600)}`);
  });
});
