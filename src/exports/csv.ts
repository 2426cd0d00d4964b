/**
 * CSV as spreadsheets read it, pure: RFC 4180 quoting (CRLF line ends; a field holding the delimiter, a
 * quote or a line break in quotes, quotes doubled), the delimiter and decimal separator German spreadsheets
 * expect, and text that a spreadsheet would run as a formula neutralised (OWASP CSV injection).
 */

export interface CsvDialect {
  delimiter: ',' | ';';
  decimalComma: boolean;
}

/** A cell: text (neutralised, quoted as needed), a number written by us (never touched), or empty. */
export type Cell = string | number | null;

/** Characters that make a spreadsheet run a text cell as a formula when the cell starts with them: = + - @ tab CR. */
const FORMULA_START = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d]);

/** Prefixes text a spreadsheet would run as a formula with `'`, which makes it plain text there. */
export function neutralise(text: string): string {
  return FORMULA_START.has(text.charCodeAt(0)) ? `'${text}` : text;
}

/** '000000' … '999999' would be 1e6 strings: the fraction is padded from these instead. */
const ZEROS = ['', '0', '00', '000', '0000', '00000'];
/**
 * Below 2^33 a double's spacing is under a millionth, so the value in whole millionths written out is exactly
 * the shortest text of the rounded double (what String() writes); above, String() may need fewer digits.
 */
const EXACT_MILLIONTHS = 2 ** 33;

/** Up to 6 decimals (kWh of Wh to the thousandth), no exponent, no thousands separator. */
export function formatNumber(value: number, decimalComma: boolean): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  let text: string;
  if (Math.abs(value) < EXACT_MILLIONTHS) {
    // Integers are written much faster than doubles: the value in whole millionths, split at the point.
    // Equal to String(Math.round(value * 1e6) / 1e6) (the unit test holds them together), without an exponent.
    const signed = Math.round(value * 1e6);
    const millionths = Math.abs(signed);
    const whole = Math.floor(millionths / 1e6);
    let fraction = millionths - whole * 1e6;
    const sign = signed < 0 ? '-' : '';
    if (fraction === 0) return `${sign}${whole}`;
    let digits = 6;
    while (fraction % 10 === 0) {
      fraction /= 10;
      digits--;
    }
    const fractionText = String(fraction);
    text = `${sign}${whole}.${ZEROS[digits - fractionText.length] ?? ''}${fractionText}`;
  } else {
    const rounded = Math.round(value * 1e6) / 1e6;
    // String() writes an exponent from 1e21 on.
    text = Math.abs(rounded) >= 1e21 ? value.toFixed(6).replace(/\.?0+$/, '') : String(rounded);
  }
  return decimalComma ? text.replace('.', ',') : text;
}

const NEEDS_QUOTES = { ',': /[",\r\n]/, ';': /[";\r\n]/ } as const;

/** One record with its CRLF. */
export function csvLine(cells: readonly Cell[], dialect: CsvDialect): string {
  const needsQuotes = NEEDS_QUOTES[dialect.delimiter];
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (i > 0) line += dialect.delimiter;
    if (cell === null || cell === undefined) continue;
    const field = typeof cell === 'number' ? formatNumber(cell, dialect.decimalComma) : neutralise(cell);
    line += needsQuotes.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
  }
  return `${line}\r\n`;
}

export const UTF8_BOM = '\uFEFF';
