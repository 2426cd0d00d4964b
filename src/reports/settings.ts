/** What the operator configures for the PDF report (REPORT_* settings), and how those settings are read. */

export interface ReportSettings {
  operatorName: string | null;
  /** Lines of the operator's address. */
  operatorAddress: readonly string[];
  /** Printed beside the chargepoints, e.g. "MID-certified meter". */
  meterNote: string | null;
  /** The flat rate per kWh the `flat` basis uses (e.g. a tax authority's), with a note on where it comes from. */
  flatRate: { pricePerKwh: number; note: string | null } | null;
  /** Licence plates by openWB vehicle id. */
  vehiclePlates: ReadonlyMap<string, string>;
}

export const NO_REPORT_SETTINGS: ReportSettings = {
  operatorName: null,
  operatorAddress: [],
  meterNote: null,
  flatRate: null,
  vehiclePlates: new Map(),
};

/** Address lines are separated by `;` or line breaks: `Musterstraße 1; 80331 München`. At most 5 lines. */
export function parseAddress(text: string): string[] {
  const lines = text
    .split(/[;\n]/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length > 5) throw new Error('has more than 5 lines (separate lines by ; or line breaks)');
  if (lines.some((line) => line.length > 100)) throw new Error('has a line longer than 100 characters');
  return lines;
}

const VEHICLE_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** `1=M-AB 1234,2=B-CD 567`: openWB vehicle id = licence plate. Throws naming the bad part. */
export function parseVehiclePlates(text: string): Map<string, string> {
  const plates = new Map<string, string>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([^=]+)=(.+)$/.exec(part);
    const id = match?.[1]?.trim() ?? '';
    const plate = match?.[2]?.trim() ?? '';
    if (!VEHICLE_ID.test(id) || plate.length === 0 || plate.length > 20) {
      throw new Error(`"${part}" is not <openWB vehicle id>=<licence plate> (e.g. 1=M-AB 1234)`);
    }
    if (plates.has(id)) throw new Error(`vehicle ${id} is named twice`);
    plates.set(id, plate);
  }
  if (plates.size === 0) throw new Error('names no vehicle');
  return plates;
}
