import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet). The API answers JSON only, so its policy forbids everything a browser could
 * load or frame. Swagger UI under /docs gets helmet's default page policy: its scripts and styles come
 * from the same origin (inline styles allowed), images may be data: URLs. HSTS is set by the TLS proxy
 * (nginx.conf), which is the only place that knows the site is served over HTTPS.
 */
export function securityHeaders(): { api: RequestHandler; docs: RequestHandler } {
  const common = { strictTransportSecurity: false, crossOriginEmbedderPolicy: false } as const;
  return {
    api: helmet({
      ...common,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
      },
    }),
    docs: helmet({
      ...common,
      contentSecurityPolicy: { useDefaults: true, directives: { upgradeInsecureRequests: null } },
    }),
  };
}
