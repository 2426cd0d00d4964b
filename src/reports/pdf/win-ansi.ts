/**
 * The report uses the PDF standard font Helvetica (nothing to embed, no font licence, readable by every
 * viewer and by pdftotext), whose encoding is WinAnsi: Latin-1 plus € „ “ ” ‚ ‘ ’ – — … • ‰ ™ Š š Œ œ
 * Ž ž Ÿ ƒ † ‡ ˆ ˜ ‹ ›. That covers German, French, Spanish, Italian, Dutch and the Nordic languages.
 * Other characters in configured or recorded texts (a name in Polish or Czech) lose their accents, and
 * what is left that WinAnsi cannot show becomes `?`, never a wrong glyph.
 */

const EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const SUBSTITUTES: Record<string, string> = {
  '\u2009': ' ', // thin space
  '\u202f': ' ', // narrow no-break space (Intl in some locales)
  '\u2212': '-', // minus sign
  '\u2192': '->',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  ı: 'i',
};

function representable(char: string): boolean {
  const code = char.codePointAt(0) as number;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || EXTRA.includes(char);
}

export function winAnsi(text: string): string {
  let out = '';
  for (const char of text) {
    if (representable(char)) out += char;
    else if (char === '\n' || char === '\t') out += ' ';
    else if (SUBSTITUTES[char] !== undefined) out += SUBSTITUTES[char];
    else {
      const bare = char.normalize('NFKD').replace(/\p{M}/gu, '');
      out += bare.length > 0 && [...bare].every(representable) ? bare : '?';
    }
  }
  return out;
}
