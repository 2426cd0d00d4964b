import { describe, expect, it } from 'vitest';
import { fileNameOf } from '../../../sdk/src/download.ts';

describe('fileNameOf (Content-Disposition, RFC 6266)', () => {
  it.each([
    ['attachment; filename="sessions-2026-05.csv"', 'sessions-2026-05.csv'],
    ['attachment; filename=report.pdf', 'report.pdf'],
    [`attachment; filename="Ladung.xlsx"; filename*=UTF-8''Ladevorg%C3%A4nge%20Mai.xlsx`, 'Ladevorgänge Mai.xlsx'],
    ['attachment; filename="a \\"quoted\\" name.csv"', 'a "quoted" name.csv'],
    [`attachment; filename*=UTF-8''%E0%A4%A; filename="fallback.csv"`, 'fallback.csv'],
  ])('%s → %s', (header, name) => {
    expect(fileNameOf(header)).toBe(name);
  });

  it('never returns a path, and nothing without a name', () => {
    expect(fileNameOf('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(fileNameOf(`attachment; filename*=UTF-8''..%2F..%2Fevil.sh`)).toBe('evil.sh');
    expect(fileNameOf('attachment; filename=".."')).toBeUndefined();
    expect(fileNameOf('attachment')).toBeUndefined();
    expect(fileNameOf(null)).toBeUndefined();
  });
});
