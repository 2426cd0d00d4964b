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

  it('gives API responses a locked-down policy without HSTS (nginx sets it)', () => {
    const set = new Map<string, string>();
    securityHeaders().api({} as never, { setHeader: (n: string, v: string) => set.set(n, v) } as never, () => undefined);
    expect(set.get('Content-Security-Policy')).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    expect(set.get('X-Content-Type-Options')).toBe('nosniff');
    expect(set.get('X-Frame-Options')).toBe('SAMEORIGIN');
    expect(set.has('Strict-Transport-Security')).toBe(false);
  });
});
