import { problemText, type Schemas } from '../api.ts';
import { h, setText, uniqueId } from '../dom.ts';
import { formatDate, isoDate } from '../format.ts';
import { t, type MessageKey } from '../i18n.ts';
import { drawPlot } from '../plot.ts';
import { seriesLabel } from '../series-names.ts';
import type { View, ViewContext } from '../context.ts';

type Interval = Schemas['HistoryInterval'];
type Quantity = 'power' | 'energy';

const INTERVALS: { value: Interval; label: MessageKey }[] = [
  { value: '5min', label: 'int5min' },
  { value: 'hour', label: 'intHour' },
  { value: 'day', label: 'intDay' },
  { value: 'week', label: 'intWeek' },
  { value: 'month', label: 'intMonth' },
  { value: 'year', label: 'intYear' },
];

/** Site first, as the power flow shows it, then chargepoints and vehicles. */
const ORDER = ['grid', 'pv', 'battery', 'home', 'chargepoint', 'vehicle'];

interface Query {
  quantity: Quantity;
  start: string;
  end: string;
  interval: Interval;
}

function preset(name: 'today' | 'month' | 'year' | 'years'): Query {
  const now = new Date();
  const day = (y: number, m: number, d: number) => isoDate(new Date(y, m, d));
  const [y, m, d] = [now.getFullYear(), now.getMonth(), now.getDate()];
  switch (name) {
    case 'today':
      return { quantity: 'power', start: day(y, m, d), end: day(y, m, d + 1), interval: '5min' };
    case 'month':
      return { quantity: 'energy', start: day(y, m, 1), end: day(y, m + 1, 1), interval: 'day' };
    case 'year':
      return { quantity: 'energy', start: day(y, 0, 1), end: day(y + 1, 0, 1), interval: 'month' };
    case 'years':
      return { quantity: 'energy', start: day(y - 4, 0, 1), end: day(y + 1, 0, 1), interval: 'year' };
  }
}

/** Energy per day, month or year and power over a day: range and interval chosen by the user, plotted with uPlot. */
export function historyView(ctx: ViewContext): View {
  let query = preset('today');
  let plot: { destroy(): void } | undefined;
  let available: Schemas['HistorySeriesInfo'][] | undefined;
  const ids = { quantity: uniqueId('q'), start: uniqueId('from'), end: uniqueId('to'), interval: uniqueId('int') };
  const quantity = h(
    'select',
    { id: ids.quantity },
    h('option', { value: 'power' }, t('powerOverTime')),
    h('option', { value: 'energy' }, t('energyPerBucket')),
  );
  const start = h('input', { type: 'date', id: ids.start, required: true });
  const end = h('input', { type: 'date', id: ids.end, required: true });
  const interval = h('select', { id: ids.interval }, ...INTERVALS.map((i) => h('option', { value: i.value }, t(i.label))));
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const figure = h('div', { class: 'plot', role: 'img' });
  const field = (id: string, label: MessageKey, control: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: id }, t(label)), control);
  const presetButton = (name: Parameters<typeof preset>[0], label: MessageKey) =>
    h('button', { type: 'button', class: 'secondary', onclick: () => show(preset(name)) }, t(label));

  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event: Event) => {
        event.preventDefault();
        show({ quantity: quantity.value as Quantity, start: start.value, end: end.value, interval: interval.value as Interval });
      },
    },
    field(ids.quantity, 'quantity', quantity),
    field(ids.start, 'from', start),
    field(ids.end, 'to', end),
    field(ids.interval, 'interval', interval),
    h('button', { type: 'submit' }, t('show')),
  );
  const presets = h(
    'div',
    { class: 'presets', role: 'group', 'aria-label': t('presets') },
    presetButton('today', 'presetToday'),
    presetButton('month', 'presetMonth'),
    presetButton('year', 'presetYear'),
    presetButton('years', 'presetYears'),
  );
  const element = h(
    'section',
    { 'aria-labelledby': 'history-title' },
    h('h1', { id: 'history-title' }, t('history')),
    presets,
    form,
    status,
    figure,
  );

  let generation = 0;
  const show = async (next: Query) => {
    query = next;
    quantity.value = query.quantity;
    start.value = query.start;
    end.value = query.end;
    interval.value = query.interval;
    const mine = ++generation;
    setText(status, t('loading'));
    try {
      available ??= (await ctx.gw.GET('/api/v1/history/series')).data?.items ?? [];
      const kind = query.quantity === 'power' ? 'power' : 'energy';
      const series = available
        .filter((s) => s.kind === kind)
        .map((s) => s.id)
        .sort((a, b) => ORDER.indexOf(a.split('.')[0]!) - ORDER.indexOf(b.split('.')[0]!) || a.localeCompare(b));
      if (series.length === 0) {
        plot?.destroy();
        plot = undefined;
        setText(status, t('noData'));
        return;
      }
      const { data, error } = await ctx.gw.GET('/api/v1/history', {
        params: {
          query: {
            series: series.slice(0, 10),
            start: query.start,
            end: query.end,
            interval: query.interval,
            fields: [query.quantity === 'power' ? 'avgPower' : 'energy'],
          },
        },
        querySerializer: { array: { style: 'form', explode: false } },
      });
      if (mine !== generation) return;
      if (!data) throw error;
      render(data);
    } catch (error) {
      if (mine === generation) setText(status, problemText(error));
    }
  };

  const render = (history: Schemas['History']) => {
    const first = history.series[0];
    const x = (first?.points ?? []).map((p) => Date.parse(p.start) / 1000);
    const scale = 1000;
    const series = history.series.map((s) => ({
      label: seriesLabel(s.id),
      values: s.points.map((p) => {
        const v = query.quantity === 'power' ? p.avgPower : p.energy;
        return v === null || v === undefined ? null : v / scale;
      }),
    }));
    const anyValue = series.some((s) => s.values.some((v) => v !== null));
    plot?.destroy();
    figure.replaceChildren();
    const what = t(query.quantity === 'power' ? 'powerOverTime' : 'energyPerBucket');
    figure.setAttribute('aria-label', t('plotOf', { what, from: formatDate(history.start), to: formatDate(history.end) }));
    plot = drawPlot(figure, {
      x,
      series,
      unit: query.quantity === 'power' ? 'kW' : 'kWh',
      bars: query.quantity === 'energy',
      span: { from: Date.parse(history.start) / 1000, to: Date.parse(history.end) / 1000 },
    });
    setText(status, anyValue ? '' : t('noData'));
    figure.dataset.drawn = String(Date.now());
  };

  void show(query);
  return { element, dispose: () => plot?.destroy() };
}
