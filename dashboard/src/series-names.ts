import { t } from './i18n.ts';

/** A readable name for a recorded series id (`grid.power`, `chargepoint.3.energyImported`, `vehicle.1.soc`). */
export function seriesLabel(id: string): string {
  const parts = id.split('.');
  const [head, second, third] = parts;
  const field = parts.length === 3 ? third : second;
  const owner =
    head === 'chargepoint'
      ? `${t('chargepoint')} ${second}`
      : head === 'vehicle'
        ? `${t('vehicle')} ${second}`
        : head === 'grid' || head === 'pv' || head === 'battery' || head === 'home'
          ? t(head)
          : head;
  const detail: Record<string, string> = {
    energyImported: head === 'grid' ? t('importing') : head === 'battery' ? t('charging') : '',
    energyExported: head === 'grid' ? t('exporting') : head === 'battery' ? t('discharging') : '',
    soc: t('soc'),
    vehicleSoc: t('soc'),
  };
  const suffix = field ? detail[field] : '';
  return suffix ? `${owner} (${suffix})` : (owner ?? id);
}
