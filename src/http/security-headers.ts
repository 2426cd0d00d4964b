import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { contextOf } from './request-context.ts';

type Helmet = ReturnType<typeof helmet>;

/**
 * The headers a helmet middleware sets, captured once. Its policy here has no per-request part (no CSP
 * nonces), so the API applies the captured list instead of running helmet's dozen middlewares on every
 * request, which cost about a third of a bare Express response.
 */
export function headersOf(middleware: Helmet): [string, string][] {
  const headers: [string, string][] = [];
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let done = false;
  middleware({} as IncomingMessage, res as unknown as ServerResponse, () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be captured');
  return headers;
}

/**
 * The dashboard's policy: its scripts, styles and fonts come only from its own hashed files (no inline script or
 * style; uPlot sizes its canvas through the CSSOM, which a CSP does not restrict); it talks only to its own origin
 * (`'self'` covers the same-origin WebSocket); downloads are `blob:` URLs it makes itself; nothing may frame it.
 */
export const DASHBOARD_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  manifestSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
};

/**
 * Security headers (helmet). The API answers JSON only, so it sends the headers that act on a JSON
 * response, OWASP's REST set: a CSP that forbids everything a browser could load or frame, `nosniff`,
 * `X-Frame-Options: DENY` and `Cross-Origin-Resource-Policy: same-origin` (no cross-origin embedding).
 * helmet's headers for HTML documents (COOP, Origin-Agent-Cluster, Referrer-Policy, X-DNS-Prefetch-Control,
 * X-Download-Options, X-Permitted-Cross-Domain-Policies, X-XSS-Protection) do nothing on JSON and cost
 * every response about a microsecond each, so the API leaves them out. Swagger UI under /docs, a page,
 * gets helmet's default page policy: its scripts and styles come from the same origin (inline styles
 * allowed), images may be data: URLs. HSTS is set by the TLS proxy (nginx.conf), which is the only place
 * that knows the site is served over HTTPS.
 */
export function securityHeaders(): { api: RequestHandler; docs: RequestHandler; dashboard: RequestHandler } {
  const common = { strictTransportSecurity: false, crossOriginEmbedderPolicy: false } as const;
  const apiHeaders = headersOf(
    helmet({
      ...common,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
      },
      xFrameOptions: { action: 'deny' },
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      referrerPolicy: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
    }),
  );
  const apiHeaderList = apiHeaders.flat();
  const dashboardHeaderList = headersOf(
    helmet({
      ...common,
      contentSecurityPolicy: { useDefaults: false, directives: DASHBOARD_CSP },
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  ).flat();
  return {
    api: (_req, res, next) => {
      contextOf(res).policyHeaders = apiHeaderList;
      next();
    },
    dashboard: (_req, res, next) => {
      contextOf(res).policyHeaders = dashboardHeaderList;
      next();
    },
    docs: helmet({
      ...common,
      contentSecurityPolicy: { useDefaults: true, directives: { upgradeInsecureRequests: null } },
    }),
  };
}
