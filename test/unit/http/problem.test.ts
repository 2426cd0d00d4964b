import { readFileSync } from 'node:fs';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { DomainError } from '../../../src/errors.ts';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotAuthenticatedError,
  NotFoundError,
  TooManyAttemptsError,
  UnavailableError,
} from '../../../src/errors.ts';
import { problemHandler, WWW_AUTHENTICATE } from '../../../src/http/problem.ts';
import { PROBLEMS } from '../../../src/http/problem-types.ts';

/** An app whose only route throws `error`. */
function throwing(error: unknown) {
  const app = express();
  app.get('/api/v1/thing', () => {
    throw error;
  });
  app.use(problemHandler(pino({ level: 'silent' })));
  return app;
}

describe('problem+json from domain errors', () => {
  it.each<[DomainError, number, string, string]>([
    [new InvalidInputError('bad'), 400, '/problems/bad-request', 'Bad Request'],
    [new NotAuthenticatedError('who?'), 401, '/problems/unauthorized', 'Unauthorized'],
    [new ForbiddenError('no'), 403, '/problems/forbidden', 'Forbidden'],
    [new NotFoundError('gone'), 404, '/problems/not-found', 'Not Found'],
    [new ConflictError('taken'), 409, '/problems/conflict', 'Conflict'],
    [new TooManyAttemptsError('slow down', 7), 429, '/problems/too-many-requests', 'Too Many Requests'],
    [new UnavailableError('down'), 503, '/problems/unavailable', 'Service Unavailable'],
  ])('renders %s with its problem type', async (error, status, type, title) => {
    const res = await request(throwing(error)).get('/api/v1/thing?x=1').expect(status);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.text).toBe(JSON.stringify({ type, title, status, detail: error.message, instance: '/api/v1/thing' }));
  });

  it('adds what the error tells: Retry-After from the domain, WWW-Authenticate for missing credentials', async () => {
    expect((await request(throwing(new TooManyAttemptsError('slow down', 7))).get('/api/v1/thing')).headers['retry-after']).toBe('7');
    expect((await request(throwing(new UnavailableError('down'))).get('/api/v1/thing')).headers['retry-after']).toBe('5');
    expect((await request(throwing(new NotAuthenticatedError('who?'))).get('/api/v1/thing')).headers['www-authenticate']).toBe(
      WWW_AUTHENTICATE,
    );
    expect((await request(throwing(new ForbiddenError('no'))).get('/api/v1/thing')).headers['www-authenticate']).toBeUndefined();
  });

  it('answers a database that cannot be reached with 503 and Retry-After, not 500', async () => {
    for (const error of [
      Object.assign(new Error('retrieve connection from pool timeout after 1001ms'), { errno: 45028, code: 'ER_GET_CONNECTION_TIMEOUT' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' }),
    ]) {
      const res = await request(throwing(error)).get('/api/v1/thing').expect(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.body).toMatchObject({ type: '/problems/unavailable', detail: 'The database cannot be reached right now' });
    }
    await request(throwing(Object.assign(new Error('Duplicate entry'), { errno: 1062, code: 'ER_DUP_ENTRY' })))
      .get('/api/v1/thing')
      .expect(500);
  });

  it('answers an unexpected error with 500 and no internals', async () => {
    const res = await request(throwing(new Error('secret detail')))
      .get('/api/v1/thing')
      .expect(500);
    expect(res.body).toEqual({
      type: '/problems/internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
      instance: '/api/v1/thing',
    });
  });
});

describe('the problem catalogue', () => {
  it("covers nginx's own problem+json answers (nginx.conf)", () => {
    const conf = readFileSync(new URL('../../../nginx.conf', import.meta.url), 'utf8');
    const answers = [...conf.matchAll(/return (\d{3}) '(\{.*\})';/g)].map(([, status, body]) => ({ status: Number(status), body }));
    expect(answers.length).toBeGreaterThan(0);
    for (const { status, body } of answers) {
      const { type, title, status: inBody } = JSON.parse(body as string) as { type: string; title: string; status: number };
      expect(Object.values(PROBLEMS)).toContainEqual({ type, title, status });
      expect(inBody).toBe(status);
    }
  });
});
