import type { Response } from 'express';
import { contextOf, gatewayHeaders, setGatewayHeaders } from './request-context.ts';

/** How a JSON reply is written: directly (writeJson), or through Express's res.json (expressJson). */
export type JsonWriter = (res: Response, status: number, body: unknown, headers: Record<string, string> | undefined) => void;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The JSON of frozen bodies (memoised read models): they cannot change, so each is serialised once. */
const frozenJson = new WeakMap<object, string>();

function jsonText(body: unknown): string {
  if (body === null || typeof body !== 'object' || !Object.isFrozen(body)) return JSON.stringify(body);
  let text = frozenJson.get(body);
  if (text === undefined) frozenJson.set(body, (text = JSON.stringify(body)));
  return text;
}

/**
 * Writes a JSON reply with the bytes, status, Content-Type and Content-Length res.json would send (Node
 * drops the body of a HEAD), handing Node the whole header block in one writeHead: no res.send machinery
 * (charset parsing, ETag and freshness checks the API never uses) and no setHeader per header.
 */
export const writeJson: JsonWriter = (res, status, body, headers) => {
  const text = jsonText(body);
  const block = gatewayHeaders(contextOf(res));
  if (headers) for (const name in headers) block.push(name, headers[name] as string);
  block.push('Content-Type', JSON_CONTENT_TYPE, 'Content-Length', String(Buffer.byteLength(text)));
  res.writeHead(status, block);
  res.end(text);
};

/**
 * res.json, which express-openapi-validator watches to validate responses (tests, CI, VALIDATE_RESPONSES).
 * Its serialisers write to the body, which may hold shared (frozen) read models, so it gets a copy.
 */
export const expressJson: JsonWriter = (res, status, body, headers) => {
  setGatewayHeaders(res);
  if (headers) res.set(headers);
  res.status(status).json(structuredClone(body));
};
