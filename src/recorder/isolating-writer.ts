/**
 * Writes a batch of samples so that no row can block another: when the database refuses the batch for
 * its content, the batch is split in halves until the refused rows stand alone. Halves are written in
 * order, so what is resolved (written, skipped or refused) is always a prefix of the batch; a connection
 * failure midway rethrows and leaves `progress` saying how far it got.
 */
import type { SampleWriter } from '../history/sample-writer.ts';
import { isContentError } from './row-errors.ts';
import type { Sample } from './sampling.ts';

export interface WriteProgress {
  /** Samples at the head of the batch that need no further attempt. */
  resolved: number;
  written: number;
  skipped: number;
  refused: { sample: Sample; error: unknown }[];
}

export const newProgress = (): WriteProgress => ({ resolved: 0, written: 0, skipped: 0, refused: [] });

export async function writeIsolated(writer: SampleWriter, samples: readonly Sample[], progress: WriteProgress): Promise<void> {
  if (samples.length === 0) return;
  try {
    const { written, skipped } = await writer.write(samples);
    progress.written += written;
    progress.skipped += skipped;
    progress.resolved += samples.length;
  } catch (error) {
    if (!isContentError(error)) throw error;
    if (samples.length === 1) {
      progress.refused.push({ sample: samples[0] as Sample, error });
      progress.resolved += 1;
      return;
    }
    const middle = samples.length >>> 1;
    await writeIsolated(writer, samples.slice(0, middle), progress);
    await writeIsolated(writer, samples.slice(middle), progress);
  }
}
