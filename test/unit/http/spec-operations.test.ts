import { describe, expect, it } from 'vitest';
import { assertHandlersMatchSpec, listOperations, mountPrefix } from '../../../src/http/spec-operations.ts';
import { loadSpec } from '../../../src/spec.ts';

describe('operation table', () => {
  const operations = listOperations(loadSpec().document);

  it('reads every operation of the spec with its authentication and scope', () => {
    const byId = Object.fromEntries(operations.map((o) => [o.operationId, o]));
    expect(byId.getChargePoint).toMatchObject({
      method: 'get',
      expressPath: '/api/v1/chargepoints/:chargepointId',
      authentication: 'required',
      requiredScope: 'read',
    });
    expect(byId.getLiveness).toMatchObject({ authentication: 'none' });
    expect(byId.getMetrics).toMatchObject({ authentication: 'optional', requiredScope: 'admin' });
  });

  it('requires credentials on every /api/v1 operation except logging in and refreshing', () => {
    const open = operations.filter((o) => o.path.startsWith('/api/v1') && o.authentication !== 'required');
    expect(open.map((o) => o.operationId).sort()).toEqual(['login', 'refreshToken']);
  });

  it('refuses to start when an operation has no handler, naming it', () => {
    const handlers = Object.fromEntries(operations.map((o) => [o.operationId, async () => ({})]));
    expect(() => assertHandlersMatchSpec(operations, handlers)).not.toThrow();
    delete handlers.getSite;
    expect(() => assertHandlersMatchSpec(operations, { ...handlers, extraOp: async () => ({}) })).toThrow(
      /operation getSite in openapi.yaml has no handler[\s\S]*handler extraOp has no operation/,
    );
  });

  it('serves the operations under a spec prefix under another one, or not at all', () => {
    const rebased = mountPrefix(operations, '/energsync', '/rewatt/v1');
    const byId = Object.fromEntries(rebased.map((o) => [o.operationId, o]));
    expect(byId.listEnergSyncSessions).toMatchObject({
      path: '/energsync/chargers/{chargerId}/sessions',
      expressPath: '/rewatt/v1/chargers/:chargerId/sessions',
    });
    expect(byId.getChargePoint).toBe(operations.find((o) => o.operationId === 'getChargePoint'));
    const hidden = mountPrefix(operations, '/energsync', undefined).map((o) => o.operationId);
    expect(hidden).not.toContain('listEnergSyncChargers');
    expect(hidden).toHaveLength(operations.length - 3);
  });

  it('refuses an operation that needs credentials but names no scope', () => {
    const spec = { security: [{ ApiKeyAuth: [] }], paths: { '/x': { get: { operationId: 'x' } } } };
    expect(() => listOperations(spec)).toThrow(/x needs credentials but names no valid x-required-scope/);
  });
});
