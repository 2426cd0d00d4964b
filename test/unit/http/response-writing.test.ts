import express, { type Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/http/dispatcher.ts';
import { writeJson } from '../../../src/http/json-writers.ts';
import { beginRequest, contextOf, setGatewayHeaders } from '../../../src/http/request-context.ts';
import { listOperations } from '../../../src/http/spec-operations.ts';
import { buildSite } from '../../../src/live/read-models.ts';
import { decodeSite } from '../../../src/live/views.ts';
import { loadSpec } from '../../../src/spec.ts';

const getSite = listOperations(loadSpec().document).find((o) => o.operationId === 'getSite')!;
const emptySite = () =>
  buildSite(
    { grid: decodeSite('grid', {}), pv: decodeSite('pv', {}), battery: decodeSite('battery', {}), home: decodeSite('home', {}) },
    { now: 0, staleAfterMs: 60_000, generation: undefined, heartbeatReceivedAt: undefined },
  );

type Writer = (res: Response, status: number, body: unknown, headers: Record<string, string>) => void;

/** Express's own res.json, the reference writeJson must match byte for byte. */
const expressJson: Writer = (res, status, body, headers) => {
  setGatewayHeaders(res);
  res.set(headers).status(status).json(body);
};

/** GET /api/v1/site answered with `body` by one JSON writer, with the gateway's headers decided on the way. */
function appAnswering(body: () => unknown, writer: Writer) {
  const app = express();
  app.set('etag', false);
  app.use((_req, res, next) => {
    beginRequest(res).limit = { limit: 600, remaining: 599, resetSeconds: 60 };
    contextOf(res).policyHeaders = ['X-Content-Type-Options', 'nosniff'];
    next();
  });
  app.use(createDispatcher([getSite], () => [(_req, res) => writer(res, 200, body(), { 'Cache-Control': 'no-store' })]));
  return app;
}

describe('writing JSON replies', () => {
  it('answers the same status, headers and bytes as res.json', async () => {
    const direct = await request(appAnswering(emptySite, writeJson)).get('/api/v1/site').expect(200);
    const viaExpress = await request(appAnswering(emptySite, expressJson)).get('/api/v1/site').expect(200);
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

  it('serialises a frozen body once, and a body that may change every time', async () => {
    const frozen = Object.freeze(emptySite());
    const first = await request(appAnswering(() => frozen, writeJson)).get('/api/v1/site');
    expect(first.body).toEqual(JSON.parse(JSON.stringify(frozen)));
    const changing = emptySite();
    const app = appAnswering(() => changing, writeJson);
    await request(app).get('/api/v1/site').expect(200);
    changing.grid.power = 1234;
    expect((await request(app).get('/api/v1/site')).body.grid.power).toBe(1234);
  });
});
