/** Drawing primitives for the report on a pdfkit document: one-line cells, wrapped paragraphs, rules and boxes. */
import type PDFDocument from 'pdfkit';
import { winAnsi } from './win-ansi.ts';

type Doc = InstanceType<typeof PDFDocument>;

export type Align = 'left' | 'right' | 'center';

/** A4 in points, and the frame every page keeps free. */
export const PAGE = { width: 595.28, height: 841.89, left: 48, right: 547.28, top: 44, footerTop: 790 } as const;
export const CONTENT_WIDTH = PAGE.right - PAGE.left;
/** Content ends here; the footer (rule, two lines) lies below. */
export const CONTENT_BOTTOM = PAGE.footerTop - 12;

export const COLOR = {
  ink: '#1b1f24',
  muted: '#5b636e',
  accent: '#1f4e79',
  rule: '#b9c0c9',
  head: '#e4e8ee',
  zebra: '#f4f6f8',
} as const;

const LINE_GAP = 1.5;

export class Canvas {
  /** Widths of the strings drawn, per font and size: a table repeats most of its cells (times, prices). */
  private widths = new Map<string, number>();
  private fontKey = '';

  constructor(readonly doc: Doc) {}

  font(bold: boolean, size: number, color: string = COLOR.ink): this {
    const name = bold ? 'Helvetica-Bold' : 'Helvetica';
    this.doc.font(name).fontSize(size).fillColor(color);
    this.fontKey = `${name}/${size}/`;
    return this;
  }

  /** One line in a box `width` wide, aligned, shortened with … when it does not fit. Fast: no line wrapping. */
  cell(text: string, x: number, y: number, width: number, align: Align = 'left'): void {
    let shown = winAnsi(text);
    let textWidth = this.widthOf(shown);
    if (textWidth > width) {
      while (shown.length > 1 && this.widthOf(`${shown}…`) > width) shown = shown.slice(0, -1);
      shown = `${shown.trimEnd()}…`;
      textWidth = this.widthOf(shown);
    }
    const left = align === 'right' ? x + width - textWidth : align === 'center' ? x + (width - textWidth) / 2 : x;
    this.doc.text(shown, left, y, { lineBreak: false, textWidth, wordCount: 1 } as PDFKit.Mixins.TextOptions);
  }

  private widthOf(text: string): number {
    const key = this.fontKey + text;
    let width = this.widths.get(key);
    if (width === undefined) {
      width = this.doc.widthOfString(text);
      if (this.widths.size > 50_000) this.widths = new Map();
      this.widths.set(key, width);
    }
    return width;
  }

  /** A wrapped paragraph; returns the height it took. */
  paragraph(text: string, x: number, y: number, width: number): number {
    this.doc.text(winAnsi(text), x, y, { width, lineGap: LINE_GAP });
    return this.doc.y - y;
  }

  heightOf(text: string, width: number): number {
    return this.doc.heightOfString(winAnsi(text), { width, lineGap: LINE_GAP });
  }

  rule(x1: number, x2: number, y: number, color: string = COLOR.rule, width = 0.6): void {
    this.doc.save().moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  box(x: number, y: number, width: number, height: number, color: string): void {
    this.doc.save().rect(x, y, width, height).fillColor(color).fill().restore();
  }

  frame(x: number, y: number, width: number, height: number, color: string = COLOR.rule): void {
    this.doc.save().rect(x, y, width, height).lineWidth(0.6).strokeColor(color).stroke().restore();
  }
}
