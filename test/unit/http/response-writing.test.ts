import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/http/dispatcher.ts';
import { problemHandler } from '../../../src/http/problem.ts';
import { beginRequest, contextOf } from '../../../src/http/request-context.ts';
import { responseValidation } from '../../../src/http/response-validation.ts';
import { expressJson, writeJson, type JsonWriter } from '../../../src/http/json-writers.ts';
import { listOperations } from '../../../src/http/spec-operations.ts';
import { buildSite } from '../../../src/live/read-models.ts';
import { decodeSite } from '../../../src/live/views.ts';
import { loadSpec } from '../../../src/spec.ts';

const spec = loadSpec().document;
const getSite = listOperations(spec).find((o) => o.operationId === 'getSite')!;
const logger = pino({ level: 'silent' });
const emptySite = () =>
  buildSite(
    { grid: decodeSite('grid', {}), pv: decodeSite('pv', {}), battery: decodeSite('battery', {}), home: decodeSite('home', {}) },
    { now: 0, staleAfterMs: 60_000, generation: undefined, heartbeatReceivedAt: undefined },
  );

/** GET /api/v1/site answered with `body` by one JSON writer, with the gateway's headers decided on the way. */
function appAnswering(body: () => unknown, writer: JsonWriter, validate: boolean) {
  const app = express();
  app.use((_req, res, next) => {
    beginRequest(res).limit = { limit: 600, remaining: 599, resetSeconds: 60 };
    contextOf(res).policyHeaders = ['X-Content-Type-Options', 'nosniff'];
    next();
  });
  if (validate) app.use(responseValidation(spec, logger));
  app.use(createDispatcher([getSite], () => [(_req, res) => writer(res, 200, body(), { 'Cache-Control': 'no-store' })]));
  app.use(problemHandler(logger));
  return app;
}

describe('writing JSON replies', () => {
  it('answers the same status, headers and bytes directly as through res.json', async () => {
    const direct = await request(appAnswering(emptySite, writeJson, false))
      .get('/api/v1/site')
      .expect(200);
    const viaExpress = await request(appAnswering(emptySite, expressJson, true))
      .get('/api/v1/site')
      .expect(200);
    expect(direct.text).toBe(viaExpress.text);
    for (const name of [
      'content-type',
      'content-length',
      'cache-control',
      'x-content-type-options',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
    ]) {
      expect(direct.headers[name], name).toBe(viaExpress.headers[name]);
    }
    expect(direct.headers['ratelimit-remaining']).toBe('599');
  });

  it('validates responses against the spec where asked: a reply that breaks the contract is a 500', async () => {
    const broken = () => ({ ...emptySite(), grid: { power: 'lots' } });
    const res = await request(appAnswering(broken, expressJson, true))
      .get('/api/v1/site')
      .expect(500);
    expect(res.body).toMatchObject({ type: '/problems/internal', status: 500 });
    // The direct writer does not validate: that is what tests and CI run with validation for.
    await request(appAnswering(broken, writeJson, false))
      .get('/api/v1/site')
      .expect(200);
  });

  it('serialises a frozen body once, and a body that may change every time', async () => {
    const frozen = Object.freeze(emptySite());
    const first = await request(appAnswering(() => frozen, writeJson, false)).get('/api/v1/site');
    expect(first.body).toEqual(JSON.parse(JSON.stringify(frozen)));
    const changing = emptySite();
    const app = appAnswering(() => changing, writeJson, false);
    await request(app).get('/api/v1/site').expect(200);
    changing.grid.power = 1234;
    expect((await request(app).get('/api/v1/site')).body.grid.power).toBe(1234);
  });
});
