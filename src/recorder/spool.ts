/**
 * What the recorder could not write before it stopped, kept in a local file (JSON lines) and loaded
 * again at the next start. The file is rewritten whole at every stop, so it never holds an entry twice.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Session } from '../sessions/model.ts';
import type { QuarantineEntry } from './quarantine.ts';
import type { Sample } from './sampling.ts';

export interface SpoolContents {
  samples: Sample[];
  sessions: Session[];
  quarantine: QuarantineEntry[];
}

type Line = { sample: Sample } | { session: Session } | { quarantine: QuarantineEntry };

export function writeSpool(path: string, contents: SpoolContents): void {
  const lines: Line[] = [
    ...contents.samples.map((sample) => ({ sample })),
    ...contents.sessions.map((session) => ({ session })),
    ...contents.quarantine.map((quarantine) => ({ quarantine })),
  ];
  if (lines.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, lines.map((line) => JSON.stringify(line)).join('\n') + '\n', { mode: 0o600 });
  renameSync(temporary, path);
}

/** The spooled entries; lines that cannot be parsed are counted, not thrown. */
export function readSpool(path: string): SpoolContents & { unreadable: number } {
  const contents: SpoolContents & { unreadable: number } = { samples: [], sessions: [], quarantine: [], unreadable: 0 };
  if (!existsSync(path)) return contents;
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    try {
      const line = JSON.parse(text) as Partial<Record<'sample' | 'session' | 'quarantine', unknown>>;
      if (line.sample) contents.samples.push(line.sample as Sample);
      else if (line.session) contents.sessions.push(line.session as Session);
      else if (line.quarantine) contents.quarantine.push(line.quarantine as QuarantineEntry);
      else contents.unreadable++;
    } catch {
      contents.unreadable++;
    }
  }
  return contents;
}

export function removeSpool(path: string): void {
  rmSync(path, { force: true });
}
