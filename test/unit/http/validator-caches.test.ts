/**
 * Validator caches are keyed by what the spec distinguishes, so no request header or parameter string makes
 * them grow: express-openapi-validator (the oracle, patched: patches/) once compiled a validator per distinct
 * request Content-Type, and the gateway's own validation compiles once per operation.
 */
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/http/dispatcher.ts';
import { createRequestValidation } from '../../../src/http/request-validation.ts';
import { listOperations } from '../../../src/http/spec-operations.ts';
import { loadSpec } from '../../../src/spec.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const document = loadSpec().document;
const answer: RequestHandler = (_req, res) => void res.status(200).json({ status: 'ok' });
const refusal: ErrorRequestHandler = (error: { status?: number }, _req, res, _next) => void res.status(error.status ?? 500).end();

function oracleApp() {
  const app = express();
  app.use(express.json(), express.text());
  app.use(
    OpenApiValidator.middleware({
      apiSpec: structuredClone(document) as never,
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: true,
      validateSecurity: false,
    }),
  );
  app.use(answer);
  app.use(refusal);
  return app;
}

function oursApp() {
  const validatorOf = createRequestValidation(document);
  const app = express();
  app.set('query parser', 'simple');
  app.use(
    createDispatcher(listOperations(document), (operation) => {
      const validate = validatorOf(operation);
      return [express.json(), (req, res, next) => (validate(req), answer(req, res, next))];
    }),
  );
  app.use(refusal);
  return app;
}

const servers: ReturnType<ReturnType<typeof express>['listen']>[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

async function listen(app: ReturnType<typeof express>): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Heap growth (MiB, after full collections) over `count` requests, each with its own Content-Type parameter. */
async function heapGrowth(base: string, count: number): Promise<number> {
  const send = async (n: number) => {
    const res = await fetch(`${base}/health/live`, { method: 'GET', headers: { 'content-type': `text/plain; x=${n}` } });
    await res.arrayBuffer();
    return res.status;
  };
  for (let n = 0; n < 20; n++) expect(await send(-n)).toBe(200);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let n = 0; n < count; n += 10) await Promise.all(Array.from({ length: 10 }, (_, i) => send(n + i)));
  gc();
  return (process.memoryUsage().heapUsed - before) / 2 ** 20;
}

describe('validator caches do not grow per distinct header value', () => {
  it('express-openapi-validator (requests and responses) keys its caches by the spec, not the Content-Type string', async () => {
    expect(await heapGrowth(await listen(oracleApp()), 300)).toBeLessThan(8);
  });

  it("the gateway's validation compiles once per operation", async () => {
    expect(await heapGrowth(await listen(oursApp()), 300)).toBeLessThan(8);
  });
});
