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

/** A text cell starting with one of these would be run as a formula by Excel, LibreOffice or Google Sheets. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes text a spreadsheet would run as a formula with `'`, which makes it plain text there. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Up to 6 decimals (kWh of Wh to the thousandth), no exponent, no thousands separator. */
export function formatNumber(value: number, decimalComma: boolean): string {
  const text = Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
  const plain = /e/i.test(text) ? value.toFixed(6).replace(/\.?0+$/, '') : text;
  return decimalComma ? plain.replace('.', ',') : plain;
}

function quoted(field: string, delimiter: string): string {
  return field.includes(delimiter) || /["\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** One record with its CRLF. */
export function csvLine(cells: readonly Cell[], dialect: CsvDialect): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (i > 0) line += dialect.delimiter;
    if (cell === null || cell === undefined) continue;
    line += quoted(typeof cell === 'number' ? formatNumber(cell, dialect.decimalComma) : neutralise(cell), dialect.delimiter);
  }
  return `${line}\r\n`;
}

export const UTF8_BOM = '\uFEFF';
