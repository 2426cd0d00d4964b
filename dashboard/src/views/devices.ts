import { h } from '../dom.ts';
import { t } from '../i18n.ts';
import type { View, ViewContext } from '../context.ts';

/** Pulse meters and measurement series: filled in once their API is in the spec. */
export function devicesView(_ctx: ViewContext): View {
  const element = h(
    'section',
    { 'aria-labelledby': 'devices-title' },
    h('h1', { id: 'devices-title' }, t('devices')),
    h('p', { class: 'muted' }, t('devicesUnavailable')),
  );
  return { element, dispose: () => {} };
}
