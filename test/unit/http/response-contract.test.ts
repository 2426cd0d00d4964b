import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../../src/live/read-models.ts';
import { decodeSite } from '../../../src/live/views.ts';
import { contractClient, streamMessageViolation, type ContractClient } from '../../support/response-contract.ts';

const site = buildSite(
  { grid: decodeSite('grid', {}), pv: decodeSite('pv', {}), battery: decodeSite('battery', {}), home: decodeSite('home', {}) },
  { now: 0, staleAfterMs: 60_000, generation: undefined, heartbeatReceivedAt: undefined },
);
const problem = { type: '/problems/not-found', title: 'Not Found', status: 404 };

/** A server that answers GET /api/v1/site as the test's `?reply=` says, to show what the tests' client accepts. */
const replies: Record<string, (res: express.Response) => void> = {
  valid: (res) => void res.json(site),
  wrongType: (res) => void res.json({ ...site, grid: { ...site.grid, power: 'lots' } }),
  otherStatusAsJson: (res) => void res.status(418).json(site),
  wrongMediaType: (res) => void res.type('text/plain').send('ok'),
  validProblem: (res) =>
    void res
      .status(503)
      .type('application/problem+json')
      .send(JSON.stringify({ ...problem, status: 503 })),
  brokenProblem: (res) =>
    void res
      .status(503)
      .type('application/problem+json')
      .send(JSON.stringify({ title: 'Oops', status: 503 })),
};

let server: ReturnType<ReturnType<typeof express>['listen']>;
let http: ContractClient;

beforeAll(async () => {
  const app = express();
  app.get('/api/v1/site', (req, res) => replies[String(req.query.reply)]!(res));
  app.get(
    '/unknown',
    (_req, res) =>
      void res
        .status(404)
        .type('application/problem+json')
        .send(JSON.stringify({ ...problem, extra: 1 })),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  http = contractClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('the tests’ HTTP client checks every response against openapi.yaml', () => {
  it('accepts responses that keep the contract, problem+json included', async () => {
    await http.get('/api/v1/site?reply=valid').expect(200);
    await http.get('/api/v1/site?reply=validProblem').expect(503);
  });

  it.each([
    ['wrongType', /response\/grid\/power must be/],
    ['otherStatusAsJson', /status 418 declares application\/problem\+json, got 'application\/json'/],
    ['wrongMediaType', /declares application\/json, got 'text\/plain'/],
    ['brokenProblem', /must have required property 'type'/],
  ])('fails the request when the reply breaks it (%s)', async (reply, why) => {
    await expect(http.get(`/api/v1/site?reply=${reply}`)).rejects.toThrow(why);
  });

  it('checks problem+json outside the spec’s operations too', async () => {
    await expect(http.get('/unknown')).rejects.toThrow(/must NOT have additional properties/);
  });
});

describe('stream messages checked against asyncapi.yaml', () => {
  const stale = { seq: 2, type: 'stale', kind: 'chargepoint', id: '3', updatedAt: '2026-05-20T12:00:00.000Z' };

  it('accepts a message of the channel whose payload matches the referenced OpenAPI component', () => {
    expect(streamMessageViolation(stale)).toBeUndefined();
    expect(
      streamMessageViolation({ seq: 3, type: 'changed', kind: 'site', id: 'pv', fields: {}, updatedAt: null, stale: true }),
    ).toBeUndefined();
  });

  it('refuses an unknown type, a missing seq and a property the schema does not have', () => {
    expect(streamMessageViolation({ ...stale, type: 'hello' })).toMatch(/not a message of the stream channel/);
    expect(streamMessageViolation({ ...stale, seq: undefined })).toMatch(/seq/);
    expect(streamMessageViolation({ ...stale, extra: 1 })).toMatch(/additional properties/);
  });
});
