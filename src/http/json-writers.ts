import type { Response } from 'express';
import { contextOf, gatewayHeaders } from './request-context.ts';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The encoded JSON of frozen bodies (memoised read models): they cannot change, so each is serialised once. */
const frozenJson = new WeakMap<object, Buffer>();

/** The body as UTF-8 JSON, encoded once: its length is the Content-Length, and Node writes the bytes as they are. */
function jsonBytes(body: unknown): Buffer {
  if (body === null || typeof body !== 'object' || !Object.isFrozen(body)) return Buffer.from(JSON.stringify(body));
  let bytes = frozenJson.get(body);
  if (bytes === undefined) frozenJson.set(body, (bytes = Buffer.from(JSON.stringify(body))));
  return bytes;
}

/**
 * Writes a JSON reply with the bytes, status, Content-Type and Content-Length res.json would send (Node
 * drops the body of a HEAD), handing Node the whole header block in one writeHead: no res.send machinery
 * (charset parsing, ETag and freshness checks the API never uses) and no setHeader per header.
 */
export function writeJson(res: Response, status: number, body: unknown, headers: Record<string, string> | undefined): void {
  const bytes = jsonBytes(body);
  const block = gatewayHeaders(contextOf(res));
  if (headers) for (const name in headers) block.push(name, headers[name] as string);
  block.push('Content-Type', JSON_CONTENT_TYPE, 'Content-Length', String(bytes.length));
  res.writeHead(status, block);
  res.end(bytes);
}
