import type { IncomingMessage } from 'node:http';
import type { Express } from 'express';

/**
 * The client address of a request Express does not route (a WebSocket upgrade), resolved as `req.ip` is:
 * `X-Forwarded-For` entries count hop by hop while the `trust proxy` setting trusts the hop before them.
 */
export function clientAddressResolver(app: Express): (req: IncomingMessage) => string {
  const trust: (address: string, hop: number) => boolean = app.get('trust proxy fn');
  return (req) => {
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .reverse();
    const hops = [req.socket.remoteAddress ?? '', ...forwarded];
    let hop = 0;
    while (hop < hops.length - 1 && trust(hops[hop] as string, hop)) hop++;
    return hops[hop] as string;
  };
}
