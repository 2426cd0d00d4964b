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

  it('writes numbers as String() writes them rounded to millionths, through integers where that is exact', () => {
    const reference = (value: number) => String(Math.round(value * 1e6) / 1e6);
    const values = [
      2.125,
      1250.000125,
      -0.25,
      0.1 + 0.2,
      0.0000005,
      -0.0000025,
      8_999_999_999.999_9,
      8_589_934_591.999_9,
      8_589_934_592.000_1,
      9_000_000_001.5,
      1e20 + 0.5,
    ];
    // Deterministic spread over magnitudes and signs (no random: a failure must repeat).
    for (let i = 1; i < 20_000; i++) values.push(((i * 7919) % 10_007) * 10 ** ((i % 15) - 8) * (i % 3 ? 1 : -1));
    for (let i = 1; i < 20_000; i++) values.push(2 ** 33 - i * 0.000_123_7, i * 429_496.729_6 + i / 7);
    for (const value of values) expect(formatNumber(value, false), String(value)).toBe(reference(value));
    expect(formatNumber(-0.0000004, false)).toBe('0');
    expect(formatNumber(1272.000125, true)).toBe('1272,000125');
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

  it('tells the repeated autumn hour apart by its offset from UTC', () => {
    const berlin = new LocalTime('Europe/Berlin');
    const first = Date.parse('2026-10-25T00:30:00Z');
    const second = Date.parse('2026-10-25T01:30:00Z');
    expect([berlin.text(first), berlin.offsetText(first)]).toEqual(['2026-10-25 02:30:00', '+02:00']);
    expect([berlin.text(second), berlin.offsetText(second)]).toEqual(['2026-10-25 02:30:00', '+01:00']);
    expect(berlin.offsetText(Date.parse('2026-10-25T00:59:59Z'))).toBe('+02:00');
    expect(berlin.offsetText(Date.parse('2026-10-25T01:00:00Z'))).toBe('+01:00');
    expect(new LocalTime('America/St_Johns').offsetText(Date.parse('2026-01-01T00:00:00Z'))).toBe('-03:30');
    expect(new LocalTime('UTC').offsetText(0)).toBe('+00:00');
    expect(berlin.offsetCell(second)).toBe('UTC+01:00');
  });

  it('writes times before 1970 and at the turn of a local day', () => {
    const berlin = new LocalTime('Europe/Berlin');
    expect(berlin.text(Date.parse('1969-12-31T22:59:59Z'))).toBe('1969-12-31 23:59:59');
    expect(berlin.text(Date.parse('1969-12-31T23:00:00Z'))).toBe('1970-01-01 00:00:00');
    expect(berlin.text(Date.parse('2026-03-01T22:59:59.999Z'))).toBe('2026-03-01 23:59:59');
    expect(berlin.date(Date.parse('2026-03-01T23:00:00Z'))).toBe('2026-03-02');
  });
});
