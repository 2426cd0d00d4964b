/**
 * Lays a report out as an A4 PDF: letterhead and facts on the first page, the sessions table (its head
 * repeated on every page), totals, summary with the reimbursement basis in words, notes, signature lines,
 * and on every page a footer with page x of y, document id, creation time, gateway version and the
 * data's SHA-256. Only layout: every figure and word comes from the ReportDocument and ReportText.
 */
import PDFDocument from 'pdfkit';
import { ROW_MARKS, type ReportVehicle } from '../report-data.ts';
import type { ReportDocument } from '../report-document.ts';
import type { ReportText } from '../report-text.ts';
import { Canvas, COLOR, CONTENT_BOTTOM, CONTENT_WIDTH, PAGE } from './canvas.ts';
import { columnsOf, drawHeader, drawRow, drawTotals, HEADER_HEIGHT, markLetters, ROW_HEIGHT } from './table.ts';
import { winAnsi } from './win-ansi.ts';

export async function renderReportPdf(report: ReportDocument, text: ReportText): Promise<Buffer> {
  const { data } = report;
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: PAGE.top, bottom: PAGE.height - CONTENT_BOTTOM, left: PAGE.left, right: PAGE.width - PAGE.right },
    lang: text.locale,
    displayTitle: true,
    info: {
      Title: winAnsi(`${text.words.title} – ${text.periodName(data.period)}`),
      Author: winAnsi(report.operator.name ?? ''),
      Subject: winAnsi(text.words.subtitle),
      Creator: `openwb-gateway ${report.version}`,
      Producer: `openwb-gateway ${report.version}`,
      Keywords: `${report.documentId} sha256:${data.sha256}`,
      CreationDate: new Date(report.createdAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const canvas = new Canvas(doc);
  const letters = markLetters(data, ROW_MARKS);
  const columns = columnsOf(data, text, letters);
  let y = drawLetterhead(canvas, report, text);
  const closing = measureClosing(canvas, report, text, letters);
  // Pages are written out as they are finished (memory holds one page), so their number is planned first.
  const pages = countPages(y, data.rows.length, closing.needed);
  let page = 1;
  const breakPage = () => {
    drawFooter(canvas, report, text, page, pages);
    doc.addPage();
    page++;
    return drawRunningHead(canvas, report, text);
  };
  const newPage = () => drawHeader(canvas, columns, text, breakPage());
  y = drawHeader(canvas, columns, text, y);
  data.rows.forEach((row, index) => {
    if (y + ROW_HEIGHT > CONTENT_BOTTOM) y = newPage();
    y = drawRow(canvas, columns, row, index, y);
  });
  if (data.rows.length === 0) {
    canvas.font(false, 8.5, COLOR.muted).cell(text.words.noSessions, PAGE.left + 3, y + 6, CONTENT_WIDTH - 6);
    y += ROW_HEIGHT + 6;
  }
  if (y + ROW_HEIGHT + 4 > CONTENT_BOTTOM) y = newPage();
  y = drawTotals(canvas, columns, data, text, y);
  drawClosing(canvas, report, text, closing, y + 16, breakPage);
  drawFooter(canvas, report, text, page, pages);
  doc.end();
  return finished;
}

/** Issuer and document facts, title, and what the report is about. Returns where the table starts. */
function drawLetterhead(canvas: Canvas, report: ReportDocument, text: ReportText): number {
  const { data } = report;
  const words = text.words;
  let y: number = PAGE.top;
  canvas.font(false, 7, COLOR.muted).cell(words.operator.toUpperCase(), PAGE.left, y, 260);
  canvas.font(true, 10.5).cell(report.operator.name ?? '–', PAGE.left, y + 11, 270);
  canvas.font(false, 9);
  report.operator.address.forEach((line, i) => canvas.cell(line, PAGE.left, y + 25 + i * 11.5, 270));

  const facts: [string, string][] = [
    [words.documentId, report.documentId],
    [words.created, text.dateTime(report.createdAt)],
    [words.period, text.periodName(data.period)],
    [words.timeZone, data.period.zone],
  ];
  facts.forEach(([label, value], i) => {
    canvas.font(false, 8, COLOR.muted).cell(label, 340, y + 11 + i * 11.5, 70);
    canvas.font(i === 0, 8).cell(value, 410, y + 11 + i * 11.5, PAGE.right - 410, 'right');
  });
  y += Math.max(25 + report.operator.address.length * 11.5, 11 + facts.length * 11.5) + 14;
  canvas.rule(PAGE.left, PAGE.right, y, COLOR.accent, 1.2);

  y += 14;
  canvas.font(true, 15, COLOR.accent).cell(words.title, PAGE.left, y, CONTENT_WIDTH);
  y += 20;
  canvas
    .font(false, 9, COLOR.muted)
    .cell(`${words.subtitle} · ${text.periodName(data.period)} (${text.periodDays(data.period)})`, PAGE.left, y, CONTENT_WIDTH);
  y += 20;

  const rows = subjectFacts(report, text);
  const top = y;
  rows.forEach(([label, value], i) => {
    canvas.font(false, 8.5, COLOR.muted).cell(label, PAGE.left + 8, y + 7, 110);
    canvas.font(i < 2, 8.5).cell(value, PAGE.left + 120, y + 7, CONTENT_WIDTH - 128);
    y += 14;
  });
  canvas.frame(PAGE.left, top, CONTENT_WIDTH, y - top + 8);
  return y + 22;
}

function subjectFacts(report: ReportDocument, text: ReportText): [string, string][] {
  const { data } = report;
  const words = text.words;
  const names = data.vehicles.map((v) => vehicleName(v, text));
  const plates = [...new Set(data.vehicles.flatMap((v) => (v.plate ? [v.plate] : [])))];
  const facts: [string, string][] = [
    [words.vehicle, names.length ? names.join(', ') : words.noVehicle],
    [words.plate, plates.length ? plates.join(', ') : '–'],
  ];
  if (report.driver !== null) facts.push([words.driver, report.driver]);
  if (report.profiles.length) facts.push([words.rfid, report.profiles.join(', ')]);
  if (data.filter.tag !== undefined) facts.push(['RFID', data.filter.tag]);
  const chargepoints = data.chargepoints.map((id) => words.chargepoint(id)).join(', ');
  const meter = chargepoints && report.meterNote ? ` – ${report.meterNote}` : '';
  facts.push([words.chargepoints(data.chargepoints.length), `${chargepoints || '–'}${meter}`]);
  facts.push([words.basis, basisShort(report, text)]);
  return facts;
}

const vehicleName = (vehicle: ReportVehicle, text: ReportText): string =>
  vehicle.name ?? (vehicle.id === null ? text.words.noVehicle : `#${vehicle.id}`);

function basisShort(report: ReportDocument, text: ReportText): string {
  const basis = report.data.basis;
  if (basis.kind === 'flat')
    return text.language === 'de' ? `Pauschale ${text.pricePerKwh(basis.pricePerKwh)}` : `Flat rate ${text.pricePerKwh(basis.pricePerKwh)}`;
  if (basis.tariff.pricePerKwh === null) return text.words.noTariff;
  const schedule = basis.tariff.windows.length ? (text.language === 'de' ? ' mit Zeitfenstern' : ' with time-of-day windows') : '';
  return text.language === 'de'
    ? `Tatsächlicher Tarif ${text.pricePerKwh(basis.tariff.pricePerKwh)}${schedule}`
    : `Actual tariff ${text.pricePerKwh(basis.tariff.pricePerKwh)}${schedule}`;
}

/** The head of every page after the first: title, period, vehicles with their plates. */
function drawRunningHead(canvas: Canvas, report: ReportDocument, text: ReportText): number {
  const vehicles = report.data.vehicles.map((v) => `${vehicleName(v, text)}${v.plate ? ` (${v.plate})` : ''}`);
  canvas.font(true, 9, COLOR.accent).cell(text.words.title, PAGE.left, PAGE.top, 260);
  canvas
    .font(false, 8, COLOR.muted)
    .cell([text.periodName(report.data.period), ...vehicles].join(' · '), 320, PAGE.top + 1, PAGE.right - 320, 'right');
  canvas.rule(PAGE.left, PAGE.right, PAGE.top + 14, COLOR.accent, 0.8);
  return RUNNING_HEAD_HEIGHT;
}

const RUNNING_HEAD_HEIGHT = PAGE.top + 24;

/** The pages the layout takes: the same decisions as renderReportPdf's, without drawing. */
export function countPages(tableTop: number, rows: number, closingHeight: number): number {
  let pages = 1;
  let y = tableTop + HEADER_HEIGHT;
  const continuationTop = RUNNING_HEAD_HEIGHT + HEADER_HEIGHT;
  for (let i = 0; i < rows; i++) {
    if (y + ROW_HEIGHT > CONTENT_BOTTOM) {
      pages++;
      y = continuationTop;
    }
    y += ROW_HEIGHT;
  }
  if (rows === 0) y += ROW_HEIGHT + 6;
  if (y + ROW_HEIGHT + 4 > CONTENT_BOTTOM) {
    pages++;
    y = continuationTop;
  }
  y += ROW_HEIGHT + 4;
  if (y + 16 + closingHeight > CONTENT_BOTTOM) pages++;
  return pages;
}

interface Closing {
  basis: string;
  notes: string[];
  corrections: string[];
  signatureHeight: number;
  needed: number;
}

/** What follows the table, and the height it needs. */
function measureClosing(canvas: Canvas, report: ReportDocument, text: ReportText, letters: ReadonlyMap<string, string>): Closing {
  const { data } = report;
  const words = text.words;
  const basis = text.basis(data.basis);
  const notes = [...letters].map(([mark, letter]) => `${letter}  ${words.marks[mark as keyof typeof words.marks]}`);
  if (data.totals.sessionsWithoutCost > 0) notes.push(words.withoutCost(data.totals.sessionsWithoutCost));
  const corrections = correctionLines(report, text);
  canvas.font(false, 8.5);
  const basisHeight = canvas.heightOf(basis, CONTENT_WIDTH - 130);
  canvas.font(false, 7.5);
  const listHeight = (lines: string[]) =>
    lines.reduce((sum, line) => sum + canvas.heightOf(line, CONTENT_WIDTH) + 2, lines.length ? 20 : 0);
  const summaryHeight = 3 * 15 + 12 + basisHeight + 14;
  const signatureHeight = report.signatures ? 86 : 0;
  const needed = summaryHeight + listHeight(notes) + listHeight(corrections) + signatureHeight + 36;
  return { basis, notes, corrections, signatureHeight, needed };
}

/** Summary, basis in words, notes and signatures, on a new page when they do not fit below the table. */
function drawClosing(
  canvas: Canvas,
  report: ReportDocument,
  text: ReportText,
  closing: Closing,
  start: number,
  breakPage: () => number,
): void {
  const { data } = report;
  const words = text.words;
  const { basis, notes, corrections, signatureHeight } = closing;
  let y = start;
  if (y + closing.needed > CONTENT_BOTTOM) y = breakPage() + 6;

  canvas.font(true, 10, COLOR.accent).cell(words.summary, PAGE.left, y, CONTENT_WIDTH);
  y += 16;
  const top = y;
  const lines: [string, string, boolean][] = [
    [words.sessions, text.number(data.totals.sessions, 0), false],
    [words.energy, `${text.kwh(data.totals.energyWh)} kWh`, false],
    [words.reimbursement, text.amount(data.totals.costCents), true],
  ];
  for (const [label, value, strong] of lines) {
    canvas.font(strong, strong ? 10 : 9, COLOR.ink).cell(label, PAGE.left + 8, y + 6, 200);
    canvas.font(strong, strong ? 10 : 9, COLOR.ink).cell(value, PAGE.left + 210, y + 6, 120, 'right');
    y += 15;
  }
  y += 8;
  canvas.font(false, 8.5, COLOR.muted).cell(words.basis, PAGE.left + 8, y, 116);
  canvas.font(false, 8.5, COLOR.ink);
  y += canvas.paragraph(basis, PAGE.left + 122, y, CONTENT_WIDTH - 130);
  y += 8;
  canvas.frame(PAGE.left, top, CONTENT_WIDTH, y - top);
  y += 14;

  for (const [heading, lines] of [
    [words.notes, notes],
    [words.corrections, corrections],
  ] as const) {
    if (lines.length === 0) continue;
    canvas.font(true, 8, COLOR.ink).cell(heading, PAGE.left, y, CONTENT_WIDTH);
    y += 12;
    canvas.font(false, 7.5, COLOR.ink);
    for (const line of lines) y += canvas.paragraph(line, PAGE.left, y, CONTENT_WIDTH) + 2;
    y += 8;
  }

  canvas.font(false, 7, COLOR.muted);
  y += canvas.paragraph(words.checksumNote, PAGE.left, y, CONTENT_WIDTH) + 4;

  if (report.signatures) drawSignatures(canvas, text, Math.max(y + 20, CONTENT_BOTTOM - signatureHeight));
}

/** One line per corrected session: what changed, the note, when and by whom. */
function correctionLines(report: ReportDocument, text: ReportText): string[] {
  const words = text.words;
  const name = (vehicle: { id: string | null; name: string | null } | null) =>
    vehicle === null ? words.unnamedVehicle : (vehicle.name ?? (vehicle.id === null ? words.unnamedVehicle : `#${vehicle.id}`));
  return report.data.rows.flatMap((row, index) => {
    const c = row.correction;
    if (!c) return [];
    const changed = (c.recordedVehicle?.id ?? null) !== (c.vehicle?.id ?? null);
    const change = changed ? words.vehicleChange(name(c.recordedVehicle), name(c.vehicle)) : null;
    return [words.correction(index + 1, text.date(row.start), change, c.note, text.dateTime(c.at), c.by)];
  });
}

function drawSignatures(canvas: Canvas, text: ReportText, y: number): void {
  const words = text.words;
  canvas.font(false, 8.5, COLOR.ink).cell(words.confirmation, PAGE.left, y, CONTENT_WIDTH);
  const lineY = y + 52;
  const half = (CONTENT_WIDTH - 30) / 2;
  for (const [x, who] of [
    [PAGE.left, words.employee],
    [PAGE.left + half + 30, words.employer],
  ] as const) {
    canvas.rule(x, x + half, lineY, COLOR.ink, 0.6);
    canvas.font(false, 7.5, COLOR.muted).cell(`${words.placeDate}, ${who}`, x, lineY + 4, half);
  }
}

function drawFooter(canvas: Canvas, report: ReportDocument, text: ReportText, page: number, pages: number): void {
  const words = text.words;
  const y = PAGE.footerTop;
  canvas.rule(PAGE.left, PAGE.right, y, COLOR.rule, 0.6);
  canvas.font(false, 7, COLOR.muted);
  canvas.cell(
    `${words.documentId} ${report.documentId} · ${words.created} ${text.dateTime(report.createdAt)} · ${words.generator} ${report.version}`,
    PAGE.left,
    y + 6,
    CONTENT_WIDTH - 90,
  );
  canvas.font(true, 7, COLOR.ink).cell(words.page(page, pages), PAGE.right - 90, y + 6, 90, 'right');
  canvas.font(false, 6.5, COLOR.muted).cell(`${words.checksum}: ${report.data.sha256}`, PAGE.left, y + 16, CONTENT_WIDTH);
}
