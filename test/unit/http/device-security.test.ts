import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../../../src/auth/authenticator.ts';
import { makePrincipal, type Principal } from '../../../src/auth/principal.ts';
import pino from 'pino';
import { problemHandler } from '../../../src/http/problem.ts';
import { securityStep } from '../../../src/http/security.ts';
import { listOperations, type OpenApiDocument } from '../../../src/http/spec-operations.ts';

/** Three operations as the spec would declare them: a meter's, the caller's own meter's (no id), and an ordinary one. */
const document: OpenApiDocument = {
  security: [{ ApiKeyAuth: [] }],
  paths: {
    '/meters/{meterId}/pulses': { post: { operationId: 'recordPulses', 'x-required-scope': 'control', 'x-device-operation': 'meter' } },
    '/tick': { get: { operationId: 'tick', 'x-required-scope': 'control', 'x-device-operation': 'meter' } },
    '/series/{seriesId}/points': { post: { operationId: 'writePoints', 'x-required-scope': 'control', 'x-device-operation': 'series' } },
    '/chargepoints': { get: { operationId: 'listChargePoints', 'x-required-scope': 'read' } },
  },
};

const principals: Record<string, Principal> = {
  meterKey: makePrincipal({
    kind: 'apiKey',
    id: 'k1',
    userId: 'u',
    name: 'esp',
    role: 'user',
    scopes: ['device'],
    device: { kind: 'meter', id: 'm1' },
  }),
  readKey: makePrincipal({ kind: 'apiKey', id: 'k2', userId: 'u', name: 'phone', role: 'user', scopes: ['read'] }),
};

/** The pure authorisation logic behind a stand-in authenticator that knows two keys by name. */
function app() {
  const authenticator = { authenticate: ({ apiKey }: { apiKey?: string }) => principals[apiKey ?? ''] } as unknown as Authenticator;
  const server = express();
  for (const operation of listOperations(document)) {
    server[operation.method](operation.expressPath, securityStep(operation, authenticator)!, (_req, res) => void res.status(200).json({}));
  }
  server.use(problemHandler(pino({ level: 'silent' })));
  return server;
}

describe('the security step for device keys', () => {
  const server = app();

  it('reads x-device-operation with the path parameter that names the device', () => {
    const byId = Object.fromEntries(listOperations(document).map((o) => [o.operationId, o]));
    expect(byId.recordPulses?.device).toEqual({ kind: 'meter', param: 'meterId' });
    expect(byId.tick?.device).toEqual({ kind: 'meter', param: undefined });
    expect(byId.listChargePoints?.device).toBeUndefined();
    expect(() =>
      listOperations({
        paths: { '/x': { get: { operationId: 'x', 'x-required-scope': 'read', 'x-device-operation': 'toaster' } } },
        security: [{ a: [] }],
      }),
    ).toThrow(/x-device-operation toaster/);
  });

  it('lets a bound key reach its own device, and nothing else', async () => {
    await request(server).post('/meters/m1/pulses').set('x-api-key', 'meterKey').expect(200);
    await request(server).get('/tick').set('x-api-key', 'meterKey').expect(200);
    const other = await request(server).post('/meters/m2/pulses').set('x-api-key', 'meterKey').expect(403);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({ status: 403 });
    expect(other.body.detail).toContain('another meter');
    await request(server).post('/series/m1/points').set('x-api-key', 'meterKey').expect(403);
    const ordinary = await request(server).get('/chargepoints').set('x-api-key', 'meterKey').expect(403);
    expect(ordinary.body.detail).toContain('listChargePoints');
  });

  it('checks ordinary keys by scope on device operations as on any other', async () => {
    await request(server).get('/chargepoints').set('x-api-key', 'readKey').expect(200);
    await request(server).post('/meters/m1/pulses').set('x-api-key', 'readKey').expect(403);
    await request(server).get('/chargepoints').set('x-api-key', 'nobody').expect(401);
  });
});
