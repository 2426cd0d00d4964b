/** Everything a rendered report shows: its figures plus who issued it, for whom, when and by which gateway. */
import { DateTime } from 'luxon';
import type { ReportData } from './report-data.ts';

export interface ReportDocument {
  data: ReportData;
  operator: { name: string | null; address: readonly string[] };
  /** Printed beside the chargepoints, e.g. "MID-certified meter". */
  meterNote: string | null;
  /** The user the sessions belong to (a user's own report, or an admin's `user` filter). */
  driver: string | null;
  /** Names of the RFID profiles of that user or of the `tag` filter. */
  profiles: readonly string[];
  documentId: string;
  createdAt: number;
  version: string;
  signatures: boolean;
}

/** `OWG-20261206-201500-9f86d081`: the creation time (UTC) and the start of the data's checksum. */
export function documentIdOf(createdAt: number, sha256: string): string {
  return `OWG-${DateTime.fromMillis(createdAt, { zone: 'UTC' }).toFormat('yyyyMMdd-HHmmss')}-${sha256.slice(0, 8)}`;
}
