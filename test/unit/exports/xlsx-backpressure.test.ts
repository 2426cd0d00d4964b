import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/sessions/model.ts';
import type { SessionRow } from '../../../src/exports/session-columns.ts';
import { writeSessionsXlsx } from '../../../src/exports/session-xlsx.ts';

const PAGES = 60;
const PAGE_ROWS = 100;

function row(i: number): SessionRow {
  const start = Date.parse('2026-03-01T00:00:00Z') + i * 1_800_000;
  const session: Session = {
    id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    chargepointId: '3',
    start,
    end: start + 3_600_000,
    energy: 5000 + i,
    chargingMs: 3_000_000,
    meanPower: null,
    peakPower: 11_000,
    quality: 'measured',
    socStart: 20,
    socEnd: 80,
    chargeModes: ['pv'],
    rfidTag: `tag-${i}`,
    vehicle: { id: '1', name: `vehicle ${i}` },
    userId: null,
    cost: 1.5,
    meterStart: 1_000_000 + i * 10_000,
    meterLast: 1_005_000 + i * 10_000,
    source: 'recorder',
    externalKey: null,
    lastSeenAt: start,
    lastCharging: false,
    correction: null,
  };
  return { session, userName: null };
}

describe('XLSX backpressure', () => {
  it('reads the next page only when the zip has compressed what the sheet wrote (the compressor never piles up)', async () => {
    let downloaded = 0;
    const downloadedWhenRead: number[] = [];
    async function* pages() {
      for (let p = 0; p < PAGES; p++) {
        downloadedWhenRead.push(downloaded);
        yield Array.from({ length: PAGE_ROWS }, (_, k) => row(p * PAGE_ROWS + k));
      }
    }
    const body = writeSessionsXlsx(pages(), { zone: 'Europe/Berlin', currency: 'EUR', lang: 'en' });
    for await (const chunk of body) downloaded += (chunk as Buffer).length;
    // Without waiting for the compressor, every page is read (on microtasks) before the first compressed
    // byte comes out; with it, the download has most of the sheet by the time the last page is read.
    expect(downloadedWhenRead.at(-1)! / downloaded).toBeGreaterThan(0.5);
    expect(downloaded).toBeGreaterThan(0);
  });
});
