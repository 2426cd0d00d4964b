/**
 * What the recorder could not write before it stopped, kept in a local file (JSON lines) and loaded
 * again at the next start. The file is rewritten whole at every stop, so it never holds an entry twice.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
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

/** The spool of one recorder: loaded at start, kept until what it held is written, saved at stop; every step logged with counts. */
export class Spool {
  /** A replayed file stays until its entries are written, so a crash meanwhile replays them again. */
  private replayed = false;

  constructor(
    private readonly path: string | undefined,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {}

  load(): SpoolContents | undefined {
    if (!this.path) return undefined;
    const spooled = readSpool(this.path);
    const counts = {
      samples: spooled.samples.length,
      sessionUpdates: spooled.sessions.length,
      quarantined: spooled.quarantine.length,
      unreadableLines: spooled.unreadable,
      file: this.path,
    };
    if (counts.samples + counts.sessionUpdates + counts.quarantined + counts.unreadableLines === 0) return undefined;
    this.replayed = true;
    if (spooled.unreadable > 0) this.logger.error(counts, 'recorder spool replayed; some lines could not be read and are lost');
    else this.logger.info(counts, 'recorder spool replayed: written with the next ticks');
    return spooled;
  }

  /** Everything buffered is written: a replayed file is done with. */
  written(): void {
    if (this.path && this.replayed) removeSpool(this.path);
    this.replayed = false;
  }

  /** Saves what a stop could not write; returns whether it is safe in the file. */
  save(rest: SpoolContents, flushed: boolean): boolean {
    const counts = { samples: rest.samples.length, sessionUpdates: rest.sessions.length, quarantined: rest.quarantine.length };
    if (counts.samples + counts.sessionUpdates + counts.quarantined === 0) {
      this.written();
      this.logger.info('recorder stopped: everything recorded is written');
      return true;
    }
    if (!this.path) {
      this.logger.error(counts, 'recorder stopped: these could not be written and no spool file is configured; they are lost');
      return false;
    }
    try {
      writeSpool(this.path, rest);
      this.logger.warn(
        { ...counts, file: this.path, flushed },
        'recorder stopped: what could not be written is spooled for the next start',
      );
      return true;
    } catch (error) {
      this.logger.error(
        { ...counts, file: this.path, err: (error as Error).message },
        'recorder stopped: the spool file cannot be written; lost',
      );
      return false;
    }
  }
}
