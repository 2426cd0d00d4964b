import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLine, formatNumber, neutralise } from '../../../src/exports/csv.ts';
import { LocalTime } from '../../../src/exports/local-time.ts';

describe('CSV cells', () => {
  it.each(['=1+1', '+49 170', '-x', '@SUM(A1)', '\tx', '\rx'])('neutralises text starting like a formula: %j', (text) => {
    expect(neutralise(text)).toBe(`'${text}`);
  });

  it('leaves other text and the numbers it writes itself alone', () => {
    expect(neutralise('04A1B2C3')).toBe('04A1B2C3');
    expect(neutralise('a=b')).toBe('a=b');
    expect(csvLine([-5, -0.25, 1e-7, 123456789.1234567, 0], { delimiter: ';', decimalComma: true })).toBe(
      '-5;-0,25;0;123456789,123457;0\r\n',
    );
    expect(csvLine(['-5'], { delimiter: ',', decimalComma: false })).toBe("'-5\r\n");
  });

  it('quotes per RFC 4180 exactly the fields that need it, for either delimiter', () => {
    const cells = ['plain', 'a,b', 'a;b', 'say "hi"', 'two\nlines', 'cr\rhere', null, 1.5];
    for (const delimiter of [',', ';'] as const) {
      for (const decimalComma of [false, true]) {
        const line = csvLine(cells, { delimiter, decimalComma });
        const [parsed] = parse(line, { delimiter }) as string[][];
        expect(parsed).toEqual(['plain', 'a,b', 'a;b', 'say "hi"', 'two\nlines', 'cr\rhere', '', decimalComma ? '1,5' : '1.5']);
      }
    }
    expect(csvLine(['a,b', 'a;b'], { delimiter: ';', decimalComma: false })).toBe('a,b;"a;b"\r\n');
    expect(formatNumber(1.5, true)).toBe('1,5');
  });
});

describe('local times', () => {
  it('writes the wall clock of the zone across both daylight-saving changes', () => {
    const berlin = new LocalTime('Europe/Berlin');
    expect(berlin.text(Date.parse('2026-03-29T00:59:59Z'))).toBe('2026-03-29 01:59:59');
    expect(berlin.text(Date.parse('2026-03-29T01:00:00Z'))).toBe('2026-03-29 03:00:00');
    expect(berlin.text(Date.parse('2026-10-25T00:30:00Z'))).toBe('2026-10-25 02:30:00');
    expect(berlin.text(Date.parse('2026-10-25T01:30:00Z'))).toBe('2026-10-25 02:30:00');
    // St. John's changes at 02:00 local, 05:30 UTC: mid-hour in UTC.
    const stJohns = new LocalTime('America/St_Johns');
    expect(stJohns.text(Date.parse('2026-03-08T05:29:59Z'))).toBe('2026-03-08 01:59:59');
    expect(stJohns.text(Date.parse('2026-03-08T05:30:00Z'))).toBe('2026-03-08 03:00:00');
    expect(new LocalTime('Asia/Kathmandu').text(Date.parse('2026-01-01T00:00:00Z'))).toBe('2026-01-01 05:45:00');
  });
});
