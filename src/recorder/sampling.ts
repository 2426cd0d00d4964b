/**
 * Turns one live snapshot into samples. Only fresh values are recorded: a stale object (same rule as
 * the API's `stale`) or a null value yields no sample, so a gap in the data stays a gap.
 */
import type { ChargePointDto, SiteDto, VehicleDto } from '../api/types.ts';

export interface Sample {
  series: string;
  /** ms since the epoch: the recorder tick (an interval boundary), not the time the value arrived. */
  ts: number;
  value: number;
}

export interface LiveSnapshot {
  chargepoints: readonly ChargePointDto[];
  site: SiteDto;
  vehicles: readonly VehicleDto[];
}

export function samplesOf(snapshot: LiveSnapshot, ts: number): Sample[] {
  const samples: Sample[] = [];
  const add = (series: string, value: number | null | undefined) => {
    if (typeof value === 'number' && Number.isFinite(value)) samples.push({ series, ts, value });
  };
  for (const cp of snapshot.chargepoints) {
    if (cp.stale) continue;
    add(`chargepoint.${cp.id}.power`, cp.power);
    add(`chargepoint.${cp.id}.energyImported`, cp.energyImported);
    add(`chargepoint.${cp.id}.energyExported`, cp.energyExported);
    add(`chargepoint.${cp.id}.vehicleSoc`, cp.vehicle?.soc);
  }
  const { grid, pv, battery, home } = snapshot.site;
  if (!grid.stale) {
    add('grid.power', grid.power);
    add('grid.energyImported', grid.energyImported);
    add('grid.energyExported', grid.energyExported);
  }
  if (!pv.stale) {
    add('pv.power', pv.power);
    add('pv.energyTotal', pv.energyTotal);
  }
  if (!battery.stale) {
    add('battery.power', battery.power);
    add('battery.soc', battery.soc);
    add('battery.energyImported', battery.energyImported);
    add('battery.energyExported', battery.energyExported);
  }
  if (!home.stale) add('home.power', home.power);
  for (const vehicle of snapshot.vehicles) {
    if (!vehicle.stale) add(`vehicle.${vehicle.id}.soc`, vehicle.soc);
  }
  return samples;
}
