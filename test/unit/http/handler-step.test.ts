import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createHandlerSteps } from '../../../src/http/handler-step.ts';
import type { HandlerTable, OperationInput } from '../../../src/http/operation-types.ts';
import { createRequestValidation } from '../../../src/http/request-validation.ts';
import { listOperations } from '../../../src/http/spec-operations.ts';
import { loadSpec } from '../../../src/spec.ts';

const spec = loadSpec().document;
const operations = listOperations(spec);

/** Every operation answers 204 and hands its input to `seen`; only setChargeMode is routed. */
function appSeeing(seen: (input: OperationInput<'setChargeMode'>) => void) {
  const handlers = Object.fromEntries(
    operations.map((o) => [
      o.operationId,
      (input: OperationInput<'setChargeMode'>) => {
        seen(input);
        return { status: 204 };
      },
    ]),
  ) as unknown as HandlerTable;
  const stepOf = createHandlerSteps(operations, handlers, createRequestValidation(spec));
  const app = express();
  app.set('trust proxy', true);
  app.put(
    '/api/v1/chargepoints/:chargepointId/charge-mode',
    express.json(),
    stepOf(operations.find((o) => o.operationId === 'setChargeMode')!),
  );
  return app;
}

describe('a handler input', () => {
  it('carries the header parameters by their spec names and the client, not the request', async () => {
    let input: OperationInput<'setChargeMode'> | undefined;
    await request(appSeeing((seen) => (input = seen)))
      .put('/api/v1/chargepoints/3/charge-mode')
      .set('Prefer', 'respond-async')
      .set('X-Forwarded-For', '203.0.113.9')
      .set('User-Agent', `app/${'x'.repeat(300)}`)
      .send({ mode: 'pv' })
      .expect(204);
    const { params, body, headers, client } = input!;
    expect({ params, body, headers }).toEqual({
      params: { chargepointId: '3' },
      body: { mode: 'pv' },
      headers: { Prefer: 'respond-async' },
    });
    expect(client).toEqual({ ip: '203.0.113.9', userAgent: `app/${'x'.repeat(252)}` });
    expect('request' in input!).toBe(false);
  });
});
