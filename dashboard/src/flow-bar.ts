import { h, setText } from './dom.ts';
import { formatPower } from './format.ts';
import { t, type MessageKey } from './i18n.ts';
import { numberOf, type LiveState } from './live-state.ts';

interface Part {
  key: string;
  label: string;
  watts: number;
}

/**
 * The power flow at a glance: where the power comes from (PV, grid import, battery discharge) and where it goes
 * (home, chargepoints, battery charge, grid export), as two bars whose segments are as wide as their share. Widths
 * are set through the CSSOM (`style.flexGrow`), which the page's CSP allows, unlike style attributes.
 */
export function flowBar(live: LiveState): { element: HTMLElement; update(): void } {
  const sources = h('div', { class: 'flow-row' });
  const uses = h('div', { class: 'flow-row' });
  const summary = h('p', { class: 'visually-hidden', 'aria-live': 'off' });
  const element = h(
    'div',
    { class: 'flow-bar', role: 'group', 'aria-label': t('powerFlow') },
    h('div', { class: 'flow-label', 'aria-hidden': 'true' }, t('flowFrom')),
    sources,
    h('div', { class: 'flow-label', 'aria-hidden': 'true' }, t('flowTo')),
    uses,
    summary,
  );
  const site = (part: string, field = 'power') => numberOf(live.get('site', part), field) ?? 0;

  const fill = (row: HTMLElement, parts: Part[]) => {
    const shown = parts.filter((part) => part.watts >= 1);
    const segments = shown.map((part) => {
      const segment = h(
        'div',
        { class: `flow-segment flow-${part.key}`, 'aria-hidden': 'true' },
        h('span', {}, `${part.label} ${formatPower(part.watts)}`),
      );
      segment.style.flexGrow = String(part.watts);
      return segment;
    });
    row.replaceChildren(
      ...(segments.length ? segments : [h('div', { class: 'flow-segment flow-none', 'aria-hidden': 'true' }, t('idle'))]),
    );
    return shown.map((part) => `${part.label} ${formatPower(part.watts)}`).join(', ') || t('idle');
  };

  const update = () => {
    const grid = site('grid');
    const battery = site('battery');
    const label = (key: MessageKey) => t(key);
    const chargepoints = live.chargepointIds.map((id) => {
      const name = live.get('chargepoint', id)?.fields.get('name')?.value;
      return {
        key: 'chargepoint',
        label: typeof name === 'string' && name ? name : `${t('chargepoint')} ${id}`,
        watts: numberOf(live.get('chargepoint', id), 'power') ?? 0,
      };
    });
    const from = fill(sources, [
      { key: 'pv', label: label('pv'), watts: site('pv') },
      { key: 'grid', label: label('grid'), watts: Math.max(0, grid) },
      { key: 'battery', label: label('battery'), watts: Math.max(0, -battery) },
    ]);
    const to = fill(uses, [
      { key: 'home', label: label('home'), watts: site('home') },
      ...chargepoints,
      { key: 'battery', label: label('battery'), watts: Math.max(0, battery) },
      { key: 'grid', label: `${label('grid')} (${t('exporting')})`, watts: Math.max(0, -grid) },
    ]);
    // Built from stale values, the bar is dimmed like them (the tiles below say which).
    const stale = ['grid', 'pv', 'battery', 'home'].some((part) => live.get('site', part)?.stale);
    element.classList.toggle('stale', stale);
    setText(summary, `${t('flowFrom')}: ${from}. ${t('flowTo')}: ${to}.${stale ? ` (${t('stale')})` : ''}`);
  };
  return { element, update };
}
