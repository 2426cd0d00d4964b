import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { headersOf, securityHeaders } from '../../../src/http/security-headers.ts';

describe('security headers', () => {
  it('captures what helmet sets', () => {
    const headers = Object.fromEntries(headersOf(helmet({ strictTransportSecurity: false })));
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['Content-Security-Policy']).toContain("default-src 'self'");
    expect(headers['Strict-Transport-Security']).toBeUndefined();
  });

  it("gives API responses OWASP's REST headers, locked down, without HSTS (nginx sets it) or HTML-only headers", () => {
    const set = new Map<string, string>();
    securityHeaders().api({} as never, { setHeader: (n: string, v: string) => set.set(n, v) } as never, () => undefined);
    expect(Object.fromEntries(set)).toEqual({
      'Content-Security-Policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    });
  });
});
