import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS for the configured browser origins only (exact match); other origins get no CORS headers, so
 * browsers keep their pages from reading the API. Credentials travel in headers, never cookies, so
 * `Access-Control-Allow-Credentials` stays off.
 */
export function corsFor(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'x-api-key'],
    exposedHeaders: ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'WWW-Authenticate'],
    credentials: false,
    maxAge: 600,
  });
}
