import { pipeline, type Readable } from 'node:stream';
import type { Response } from 'express';

/**
 * Writes a streamed body (an export) with backpressure: the source is read only as fast as the client takes
 * it. A failure after the headers were sent cannot become a problem+json any more: the connection is cut,
 * so the client sees a truncated download, never a complete-looking partial one.
 */
export function writeStream(res: Response, status: number, contentType: string, body: Readable): void {
  res.status(status).type(contentType);
  pipeline(body, res, (error) => {
    if (error && !res.destroyed) res.destroy(error);
  });
}
