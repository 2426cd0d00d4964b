import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { contextOf, gatewayHeaders } from '../../../src/http/request-context.ts';
import { headersOf, securityHeaders } from '../../../src/http/security-headers.ts';

describe('security headers', () => {
  it('captures what helmet sets', () => {
    const headers = Object.fromEntries(headersOf(helmet({ strictTransportSecurity: false })));
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['Content-Security-Policy']).toContain("default-src 'self'");
    expect(headers['Strict-Transport-Security']).toBeUndefined();
  });

  it("gives API responses OWASP's REST headers, locked down, without HSTS (nginx sets it) or HTML-only headers", () => {
    const res = { locals: {} } as never;
    securityHeaders().api({} as never, res, () => undefined);
    const list = gatewayHeaders(contextOf(res));
    const headers = Object.fromEntries(Array.from({ length: list.length / 2 }, (_v, i) => [list[2 * i], list[2 * i + 1]]));
    expect(headers).toEqual({
      'Content-Security-Policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    });
  });
});
