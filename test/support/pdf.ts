/** Reads PDFs back with poppler-utils (installed by scripts/ensure-services.sh): text, page count, rendered pages. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function withFile<T>(pdf: Buffer, use: (path: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'owg-pdf-'));
  try {
    const path = join(dir, 'report.pdf');
    writeFileSync(path, pdf);
    return use(path, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `pdftotext -layout`: the text as laid out, pages separated by form feeds. */
export function pdfText(pdf: Buffer): string {
  return withFile(pdf, (path) => execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }));
}

/** The PDF's metadata as pdfinfo prints it (Pages, Page size, Title, ...). */
export function pdfInfo(pdf: Buffer): Record<string, string> {
  const text = withFile(pdf, (path) => execFileSync('pdfinfo', ['-enc', 'UTF-8', path], { encoding: 'utf8' }));
  const fields = text.split('\n').flatMap((line) => {
    const match = /^([^:]+):\s*(.*)$/.exec(line);
    return match ? [[match[1] as string, match[2] as string] as const] : [];
  });
  return Object.fromEntries(fields);
}

/** Renders every page with pdftoppm (fails on a PDF poppler cannot render); the size in bytes of each PNG. */
export function renderPages(pdf: Buffer, dpi = 40): number[] {
  return withFile(pdf, (path, dir) => {
    execFileSync('pdftoppm', ['-r', String(dpi), '-png', path, join(dir, 'page')], { stdio: ['ignore', 'ignore', 'pipe'] });
    return readdirSync(dir)
      .filter((name) => name.endsWith('.png'))
      .sort()
      .map((name) => statSync(join(dir, name)).size);
  });
}
