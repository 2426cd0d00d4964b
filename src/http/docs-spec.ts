/**
 * The spec as Swagger UI at /docs gets it: the same document, with the first server's variables defaulting to
 * the origin that serves the docs, so "Try it out" calls this gateway (the file's defaults are the local demo).
 */
import type { Request } from 'express';

interface ServerVariable {
  default: string;
  enum?: string[];
}
interface Server {
  url: string;
  variables?: Record<string, ServerVariable>;
}

const HOST = /^(?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$|^\[[0-9A-Fa-f:.]{2,45}\]$/;

export function specForDocs<T extends object>(document: T, req: Pick<Request, 'protocol' | 'hostname' | 'host'>): T {
  // openapi.yaml's servers, as the spec check (npm run lint:spec) guarantees their shape.
  const [first, ...rest] = ('servers' in document ? (document.servers as Server[] | undefined) : undefined) ?? [];
  if (!first?.variables) return document;
  const { scheme, host, port } = first.variables;
  const protocol = scheme?.enum?.includes(req.protocol) === false ? scheme.default : req.protocol;
  // Express 5: `host` is the Host header (with the port), `hostname` without it; both as `trust proxy` allows.
  const hostname = HOST.test(req.hostname) ? req.hostname : host?.default;
  const portMatch = /:(\d{1,5})$/.exec(req.host ?? '');
  const servedPort = portMatch ? portMatch[1]! : protocol === 'https' ? '443' : '80';
  const variables = {
    ...first.variables,
    ...(scheme && { scheme: { ...scheme, default: protocol } }),
    ...(host && hostname && { host: { ...host, default: hostname } }),
    ...(port && { port: { ...port, default: servedPort } }),
  };
  return { ...document, servers: [{ ...first, variables }, ...rest] };
}
