import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { createRequestValidation, RequestValidationError } from '../../../src/http/request-validation.ts';
import { listOperations } from '../../../src/http/spec-operations.ts';
import { loadSpec } from '../../../src/spec.ts';
import { sampleValue, specOperations } from '../../support/spec-requests.ts';

// Pure logic against the real openapi.yaml: requests are plain objects with what the validator reads.
const document = loadSpec().document;
const validatorOf = createRequestValidation(document);
const operations = new Map(listOperations(document).map((o) => [o.operationId, o]));
const validate = (operationId: string) => validatorOf(operations.get(operationId)!);

interface FakeRequest {
  params?: Record<string, string>;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: unknown;
}

function request({ params = {}, query, headers = {}, body }: FakeRequest): Request {
  const pairs = Object.entries(query ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]));
  const search = query ? `?${new URLSearchParams(pairs).toString()}` : '';
  return {
    url: `/x${search}`,
    params: { ...params },
    query: { ...query },
    headers: { ...headers },
    body,
    is: (type: string) => (headers['content-type']?.startsWith(type) ? type : false),
  } as unknown as Request;
}

function problemOf(call: () => unknown): RequestValidationError {
  try {
    call();
  } catch (error) {
    if (error instanceof RequestValidationError) return error;
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('request validation compiled from openapi.yaml', () => {
  it('accepts a valid path parameter and hands it over', () => {
    expect(validate('getChargePoint')(request({ params: { chargepointId: '3' } }))).toEqual({
      params: { chargepointId: '3' },
      query: {},
      headers: {},
      body: undefined,
    });
  });

  it('names a bad path parameter: 400 at /params/<name>', () => {
    const problem = problemOf(() => validate('getChargePoint')(request({ params: { chargepointId: 'a$b' } })));
    expect(problem.status).toBe(400);
    expect(problem.errors[0]).toMatchObject({ path: '/params/chargepointId', errorCode: 'pattern.openapi.validation' });
    expect(problem.message).toContain('request/params/chargepointId');
  });

  it('coerces query strings to their types and applies defaults', () => {
    const { query } = validate('listSessions')(request({ query: { limit: '20' } }));
    expect(query).toEqual({ limit: 20, sort: '-start' });
    expect(validate('listSessions')(request({})).query).toEqual({ limit: 50, sort: '-start' });
  });

  it('refuses values outside the schema and unknown query parameters', () => {
    expect(problemOf(() => validate('listSessions')(request({ query: { limit: '501' } }))).errors[0]).toMatchObject({
      path: '/query/limit',
      errorCode: 'maximum.openapi.validation',
    });
    expect(problemOf(() => validate('listSessions')(request({ query: { limit: 'many' } }))).errors[0]).toMatchObject({
      path: '/query/limit',
      errorCode: 'type.openapi.validation',
    });
    expect(problemOf(() => validate('getSite')(request({ query: { foo: '1' } }))).errors[0]).toMatchObject({
      path: '/query/foo',
      message: "Unknown query parameter 'foo'",
    });
  });

  it('parses integers and numbers strictly: decimal digits only, on every operation', () => {
    const numeric = [...operations.values()].flatMap((operation) =>
      specOperations()
        .find((o) => o.operationId === operation.operationId)!
        .parameters.filter((p) => p.in === 'query' && (p.schema.type === 'integer' || p.schema.type === 'number'))
        .map((p) => ({ operation, name: p.name, valid: p.schema.minimum ?? 10 })),
    );
    // What the operation needs besides the number under test (EnergSync's charger id and start date).
    const required = (operationId: string, location: string) =>
      Object.fromEntries(
        specOperations()
          .find((o) => o.operationId === operationId)!
          .parameters.filter((p) => p.in === location && p.required)
          .map((p) => [p.name, sampleValue(p.schema)]),
      );
    expect(numeric.map(({ operation, name }) => `${operation.operationId}.${name}`)).toEqual(
      expect.arrayContaining(['listSessions.limit', 'listAuditEntries.limit', 'listRfidEvents.limit']),
    );
    for (const { operation, name, valid } of numeric) {
      for (const hostile of ['Infinity', '-Infinity', '0x10', '1e2', ' 5', '5 ', '', '+5', '5.', 'NaN', '0b1', '1_0']) {
        const problem = problemOf(() => validatorOf(operation)(request({ query: { [name]: hostile } })));
        expect(problem.status, `${operation.operationId} ${name}=${JSON.stringify(hostile)}`).toBe(400);
        expect(problem.errors[0]).toMatchObject({ path: `/query/${name}`, errorCode: 'type.openapi.validation' });
      }
      const params = required(operation.operationId, 'path');
      const query = { ...required(operation.operationId, 'query'), [name]: String(valid) };
      expect(validatorOf(operation)(request({ params, query })).query[name]).toBe(valid);
    }
  });

  it('splits comma-separated (explode: false) arrays and checks their items', () => {
    const { query } = validate('getHistory')(request({ query: { series: 'grid.power,pv.power', duration: '1d' } }));
    expect(query.series).toEqual(['grid.power', 'pv.power']);
    const problem = problemOf(() => validate('getHistory')(request({ query: { series: 'grid.power,no such series', duration: '1d' } })));
    expect(problem.errors[0]?.path).toBe('/query/series/1');
  });

  it('merges a parameter given under its alias names (x-alias-names) and splits every value on commas (x-comma-separated)', () => {
    const op = validate('listEnergSyncChargers');
    expect(op(request({ query: { 'chargerIds[]': ['3', '4'] } })).query.chargerIds).toEqual(['3', '4']);
    expect(op(request({ query: { chargerIds: ['3', '4'] } })).query.chargerIds).toEqual(['3', '4']);
    expect(op(request({ query: { chargerIds: '3,4' } })).query.chargerIds).toEqual(['3', '4']);
    expect(op(request({ query: { chargerIds: '3' } })).query.chargerIds).toEqual(['3']);
    expect(op(request({ query: { chargerIds: ['3,4', '5'], 'chargerIds[]': '6,7' } })).query).toEqual({
      chargerIds: ['3', '4', '5', '6', '7'],
      page: 1,
      pageSize: 10,
    });
    expect(problemOf(() => op(request({ query: { 'chargerIds[]': '3,' } }))).errors[0]?.path).toBe('/query/chargerIds/1');
    expect(problemOf(() => op(request({ query: { 'chargerIds[': '3' } }))).errors[0]?.message).toBe(
      "Unknown query parameter 'chargerIds['",
    );
  });

  it('checks header parameters (Prefer) and required query parameters', () => {
    const body = { mode: 'pv' };
    const json = { 'content-type': 'application/json', 'content-length': '15' };
    const bad = problemOf(() =>
      validate('setChargeMode')(request({ params: { chargepointId: '3' }, headers: { ...json, prefer: 'wait=<5>' }, body })),
    );
    expect(bad.errors[0]?.path).toBe('/headers/prefer');
    const valid = request({ params: { chargepointId: '3' }, headers: { ...json, prefer: 'respond-async' }, body });
    expect(validate('setChargeMode')(valid).headers).toEqual({ Prefer: 'respond-async' });
    expect(problemOf(() => validate('getHistory')(request({}))).errors[0]).toMatchObject({
      path: '/query/series',
      errorCode: 'required.openapi.validation',
    });
  });

  it('validates JSON bodies: required, their schema, and their media type (415)', () => {
    const op = validate('setChargeMode');
    const json = { 'content-type': 'application/json', 'content-length': '20' };
    expect(op(request({ params: { chargepointId: '3' }, headers: json, body: { mode: 'pv' } })).body).toEqual({ mode: 'pv' });
    expect(problemOf(() => op(request({ params: { chargepointId: '3' } }))).errors[0]).toMatchObject({
      path: '/body',
      errorCode: 'required.openapi.validation',
    });
    expect(
      problemOf(() => op(request({ params: { chargepointId: '3' }, headers: json, body: { mode: 'turbo' } }))).errors[0],
    ).toMatchObject({
      path: '/body/mode',
      errorCode: 'enum.openapi.validation',
    });
    expect(
      problemOf(() => op(request({ params: { chargepointId: '3' }, headers: json, body: { mode: 'pv', extra: 1 } }))).errors[0]?.path,
    ).toBe('/body/extra');
    const wrongType = problemOf(() =>
      op(request({ params: { chargepointId: '3' }, headers: { 'content-type': 'text/plain', 'content-length': '2' }, body: undefined })),
    );
    expect(wrongType.status).toBe(415);
  });

  it('compiles every operation of the spec', () => {
    for (const operation of operations.values()) expect(() => validatorOf(operation)).not.toThrow();
  });
});
