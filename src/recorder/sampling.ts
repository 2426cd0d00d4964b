/**
 * Turns one live snapshot into readings, one per series the snapshot lists. Only fresh values are
 * recorded: a stale object (same rule as the API's `stale`) or a null value yields no sample, so a gap
 * in the data stays a gap, and the ledger counts it.
 */
import type { ChargePointDto, SiteDto, VehicleDto } from '../api/types.ts';

export interface Sample {
  series: string;
  /** ms since the epoch: the recorder tick (an interval boundary), not the time the value arrived. */
  ts: number;
  value: number;
}

export interface Reading {
  series: string;
  value: number | null | undefined;
  stale: boolean;
}

export interface LiveSnapshot {
  chargepoints: readonly ChargePointDto[];
  site: SiteDto;
  vehicles: readonly VehicleDto[];
}

export function readingsOf(snapshot: LiveSnapshot): Reading[] {
  const readings: Reading[] = [];
  const add = (series: string, value: number | null | undefined, stale: boolean) => readings.push({ series, value, stale });
  for (const cp of snapshot.chargepoints) {
    add(`chargepoint.${cp.id}.power`, cp.power, cp.stale);
    add(`chargepoint.${cp.id}.energyImported`, cp.energyImported, cp.stale);
    add(`chargepoint.${cp.id}.energyExported`, cp.energyExported, cp.stale);
    add(`chargepoint.${cp.id}.vehicleSoc`, cp.vehicle?.soc, cp.stale);
  }
  const { grid, pv, battery, home } = snapshot.site;
  add('grid.power', grid.power, grid.stale);
  add('grid.energyImported', grid.energyImported, grid.stale);
  add('grid.energyExported', grid.energyExported, grid.stale);
  add('pv.power', pv.power, pv.stale);
  add('pv.energyTotal', pv.energyTotal, pv.stale);
  add('battery.power', battery.power, battery.stale);
  add('battery.soc', battery.soc, battery.stale);
  add('battery.energyImported', battery.energyImported, battery.stale);
  add('battery.energyExported', battery.energyExported, battery.stale);
  add('home.power', home.power, home.stale);
  for (const vehicle of snapshot.vehicles) add(`vehicle.${vehicle.id}.soc`, vehicle.soc, vehicle.stale);
  return readings;
}

/** The samples of a snapshot: fresh readings with a number. */
export function samplesOf(snapshot: LiveSnapshot, ts: number): Sample[] {
  return readingsOf(snapshot)
    .filter((r) => !r.stale && typeof r.value === 'number')
    .map((r) => ({ series: r.series, ts, value: r.value as number }));
}
