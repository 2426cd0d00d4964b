/**
 * The allow-list of series ids. A series id names one measured quantity (`chargepoint.3.power`); its kind
 * decides how it is aggregated and which history fields apply. Ids never reach SQL as identifiers: they
 * are values in `stat_series`, and only ids matching this grammar are ever written or queried.
 */
export type SeriesKind = 'power' | 'energy' | 'soc';

export const UNITS = { power: 'W', energy: 'Wh', soc: '%' } as const satisfies Record<SeriesKind, string>;

export type HistoryField = 'energy' | 'avgPower' | 'maxPower' | 'minPower' | 'avgSoc' | 'minSoc' | 'maxSoc';

export const FIELDS_BY_KIND: Record<SeriesKind, readonly HistoryField[]> = {
  energy: ['energy'],
  power: ['avgPower', 'maxPower', 'minPower'],
  soc: ['avgSoc', 'minSoc', 'maxSoc'],
};

const ID = '[A-Za-z0-9_-]{1,32}';
const GRAMMAR: readonly [RegExp, SeriesKind][] = [
  [new RegExp(`^chargepoint\\.${ID}\\.power$`), 'power'],
  [new RegExp(`^chargepoint\\.${ID}\\.(energyImported|energyExported)$`), 'energy'],
  [new RegExp(`^chargepoint\\.${ID}\\.vehicleSoc$`), 'soc'],
  [/^(grid|pv|battery|home)\.power$/, 'power'],
  [/^(grid|battery)\.(energyImported|energyExported)$/, 'energy'],
  [/^pv\.energyTotal$/, 'energy'],
  [/^battery\.soc$/, 'soc'],
  [new RegExp(`^vehicle\\.${ID}\\.soc$`), 'soc'],
];

/** The kind of a valid series id, or undefined for anything outside the allow-list. */
export function seriesKindOf(id: string): SeriesKind | undefined {
  return GRAMMAR.find(([pattern]) => pattern.test(id))?.[1];
}

/** A series id without its chargepoint or vehicle id (`chargepoint.energyImported`): a label of bounded cardinality. */
export function seriesFamilyOf(id: string): string {
  return id.replace(/^(chargepoint|vehicle)\.[^.]+\./, '$1.');
}
