import { h, setText } from '../dom.ts';
import { formatEnergy, formatPercent, formatPower } from '../format.ts';
import { t, type MessageKey } from '../i18n.ts';
import { LiveValue } from '../live-value.ts';
import { numberOf, type LiveObject } from '../live-state.ts';
import type { View, ViewContext } from '../context.ts';
import { chargeModeLabel } from './chargepoint.ts';
import { flowBar } from '../flow-bar.ts';

const power = (value: unknown) => formatPower(value as number);
const direction = (positive: MessageKey, negative: MessageKey) => (value: unknown) =>
  typeof value === 'number' && Math.abs(value) >= 1 ? t(value > 0 ? positive : negative) : t('idle');

interface Tile {
  key: string;
  values: LiveValue[];
  element: HTMLElement;
  object: () => LiveObject | undefined;
  /** What else the tile shows of its object (a chargepoint's name). */
  update?: (object: LiveObject | undefined) => void;
}

/** The power flow: grid, PV, battery, home and every chargepoint the user may see, patched from the stream as values change. */
export function liveView(ctx: ViewContext): View {
  const tiles = new Map<string, Tile>();
  const grid = h('div', { class: 'flow', role: 'list' });
  const banner = h('p', { class: 'banner warn', role: 'alert', hidden: true }, t('brokerLost'));
  const bar = flowBar(ctx.live);
  const element = h(
    'section',
    { 'aria-labelledby': 'live-title' },
    h('h1', { id: 'live-title' }, t('powerFlow')),
    banner,
    bar.element,
    grid,
  );
  // The bar is redrawn at most once a frame, however many values change in it.
  let barPending = false;
  const redrawBar = () => {
    if (barPending) return;
    barPending = true;
    requestAnimationFrame(() => {
      barPending = false;
      bar.update();
    });
  };

  const siteTile = (part: 'grid' | 'pv' | 'battery' | 'home', label: MessageKey, values: LiveValue[]): Tile => ({
    key: `site:${part}`,
    values,
    object: () => ctx.live.get('site', part),
    element: h(
      'article',
      { class: `tile tile-${part}`, role: 'listitem', 'aria-label': t(label) },
      h('h2', {}, t(label)),
      ...values.map((v) => v.element),
    ),
  });

  const build = () => {
    tiles.clear();
    const list: Tile[] = [
      siteTile('pv', 'pv', [new LiveValue('pv.power', power, 'power', direction('producing', 'idle'))]),
      siteTile('grid', 'grid', [new LiveValue('grid.power', power, 'power', direction('importing', 'exporting'))]),
      siteTile('battery', 'battery', [
        new LiveValue('battery.power', power, 'power', direction('charging', 'discharging')),
        new LiveValue(
          'battery.soc',
          (v) => formatPercent(v as number),
          'soc',
          () => t('soc'),
        ),
      ]),
      siteTile('home', 'home', [new LiveValue('home.power', power, 'power')]),
    ];
    for (const id of ctx.live.chargepointIds) list.push(chargepointTile(ctx, id));
    grid.replaceChildren(...list.map((tile) => tile.element));
    for (const tile of list) {
      tiles.set(tile.key, tile);
      for (const value of tile.values) value.update(tile.object());
      tile.update?.(tile.object());
    }
    bar.update();
    if (ctx.live.objects.size > 0) markFirstLiveValue();
  };

  const stopChange = ctx.live.onChange((object) => {
    const tile = tiles.get(`${object.kind}:${object.id}`);
    if (!tile) return;
    for (const value of tile.values) value.update(object);
    tile.update?.(object);
    if (object.kind === 'site' || object.kind === 'chargepoint') redrawBar();
  });
  const stopStructure = ctx.live.onStructure(build);
  const stopBroker = ctx.live.onBroker((connected) => (banner.hidden = connected));
  banner.hidden = ctx.live.brokerConnected;
  const timer = window.setInterval(() => {
    const now = Date.now();
    for (const tile of tiles.values()) for (const value of tile.values) value.tick(now);
  }, 1000);
  build();
  return {
    element,
    dispose: () => {
      stopChange();
      stopStructure();
      stopBroker();
      window.clearInterval(timer);
    },
  };
}

function chargepointTile(ctx: ViewContext, id: string): Tile {
  const object = () => ctx.live.get('chargepoint', id);
  const name = object()?.fields.get('name')?.value;
  const label = typeof name === 'string' && name ? name : `${t('chargepoint')} ${id}`;
  const status = (value: unknown, cp: LiveObject) => {
    const plugged = cp.fields.get('plugged')?.value;
    const charging = cp.fields.get('charging')?.value;
    const words = [charging ? t('charging') : plugged ? t('plugged') : t('unplugged')];
    if (cp.fields.get('locked')?.value === true) words.push(t('locked'));
    return `${words.join(' · ')} · ${chargeModeLabel(value)}`;
  };
  const values = [
    new LiveValue(`chargepoint.${id}.power`, power, 'power'),
    new LiveValue(`chargepoint.${id}.status`, status, 'chargeMode'),
    new LiveValue(`chargepoint.${id}.soc`, (_v, cp) => socText(cp), 'vehicle'),
    new LiveValue(
      `chargepoint.${id}.energyToday`,
      (v) => formatEnergy(v as number),
      'energyToday',
      () => t('energyToday'),
    ),
  ];
  const heading = h('h2', {}, label);
  const element = h(
    'article',
    { class: 'tile tile-chargepoint', role: 'listitem', 'aria-label': label, 'data-chargepoint': id },
    heading,
    ...values.map((v) => v.element),
    h('a', { class: 'button secondary', href: `#/chargepoint/${encodeURIComponent(id)}` }, `${t('details')} – ${label}`),
  );
  const update = (cp: LiveObject | undefined) => {
    const current = cp?.fields.get('name')?.value;
    if (typeof current === 'string' && current) setText(heading, current);
  };
  return { key: `chargepoint:${id}`, values, element, object, update };
}

function socText(cp: LiveObject): string {
  const vehicle = cp.fields.get('vehicle')?.value as { name?: string | null; soc?: number | null } | null | undefined;
  if (!vehicle) return '–';
  const soc = vehicle.soc ?? numberOf(cp, 'soc');
  return `${vehicle.name ?? t('vehicle')}: ${formatPercent(soc)}`;
}

let marked = false;
/** For bench/dashboard.ts: the first frame that shows live values (navigation start → this mark). */
function markFirstLiveValue(): void {
  if (marked) return;
  marked = true;
  requestAnimationFrame(() => setTimeout(() => performance.mark('owg:first-live-value'), 0));
}
