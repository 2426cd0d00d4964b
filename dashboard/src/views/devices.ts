import type { GatewayClient } from '../../../sdk/src/index.ts';
import { problemText, type Schemas } from '../api.ts';
import type { View, ViewContext } from '../context.ts';
import { h, setText, uniqueId } from '../dom.ts';
import { formatAge, formatEnergy, formatPower, isoDate } from '../format.ts';
import { t } from '../i18n.ts';
import { drawPlot } from '../plot.ts';

const REFRESH_MS = 10_000;

type Meter = Schemas['Meter'];
type AggregatesQuery = { from: string; interval: '5min' } | { duration: '7d'; interval: 'hour' } | { duration: '1month'; interval: 'day' };

/**
 * Whether this user has pulse meters or measurement series: the menu offers "Other devices" only then. Their
 * operations are part of the spec, and the gateway serving this page always answers them (the page comes from the
 * same build, no older gateway serves it), so no 404 is expected; an empty household just has nothing to show there.
 */
export async function hasDevices(gw: GatewayClient): Promise<boolean> {
  const [meters, series] = await Promise.all([
    gw.GET('/api/v1/meters', { params: { query: { limit: 1 } } }),
    gw.GET('/api/v1/series', { params: { query: { limit: 1 } } }),
  ]);
  return Boolean(meters.data?.items.length || series.data?.items.length);
}

/** Pulse meters (today's energy, power now, energy per hour today) and measurement series (mean per bucket, plotted). */
export function devicesView(ctx: ViewContext): View {
  const meters = h('div', { class: 'flow meters', role: 'list' });
  const metersSection = h(
    'section',
    { 'aria-labelledby': 'meters-title', hidden: true },
    h('h2', { id: 'meters-title', class: 'section-title' }, t('meters')),
    meters,
  );
  const seriesBody = h('div');
  const seriesSection = h(
    'section',
    { 'aria-labelledby': 'series-title', hidden: true },
    h('h2', { id: 'series-title', class: 'section-title' }, t('series')),
    seriesBody,
  );
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' }, t('loading'));
  const element = h(
    'section',
    { 'aria-labelledby': 'devices-title' },
    h('h1', { id: 'devices-title' }, t('devices')),
    status,
    metersSection,
    seriesSection,
  );
  const cleanups: (() => void)[] = [];
  let disposed = false;

  /** Whether there is something to show (meters, or a problem reading them). */
  const loadMeters = async (): Promise<boolean> => {
    const { data, error } = await ctx.gw.GET('/api/v1/meters', { params: { query: { limit: 50 } } });
    if (disposed) return false;
    if (!data) meters.replaceChildren(h('p', { role: 'alert' }, problemText(error)));
    else if (data.items.length === 0) meters.replaceChildren(h('p', { class: 'muted' }, t('noMeters')));
    else meters.replaceChildren(...data.items.map((meter) => meterTile(meter)));
    return !data || data.items.length > 0;
  };

  const meterTile = (meter: Meter): HTMLElement => {
    const today = h('span', { class: 'num' }, '–');
    const power = h('span', { class: 'num' }, '–');
    const age = h('span', { class: 'age' });
    const plot = h('div', { class: 'plot small', role: 'img', 'aria-label': `${meter.name}: ${t('energyPerBucket')} ${t('today')}` });
    let drawn: { destroy(): void } | undefined;
    const refresh = async () => {
      // A failed refresh leaves the last values (their age shows how old they are); the next one tries again.
      const path = { meterId: meter.id };
      const { data: reading } = await ctx.gw.GET('/api/v1/meters/{meterId}/reading', { params: { path } });
      if (disposed || !reading) return;
      setText(today, formatEnergy(reading.energyTodayWh));
      setText(power, formatPower(reading.powerW));
      setText(age, reading.lastPulseAt ? formatAge(Date.now() - Date.parse(reading.lastPulseAt)) : t('never'));
      const { data: history } = await ctx.gw.GET('/api/v1/meters/{meterId}/history', { params: { path, query: { interval: 'hour' } } });
      if (disposed || !history) return;
      drawn?.destroy();
      plot.replaceChildren();
      drawn = drawPlot(plot, {
        x: history.points.map((p) => Date.parse(p.start) / 1000),
        series: [{ label: meter.name, values: history.points.map((p) => p.energyWh / 1000) }],
        unit: 'kWh',
        bars: true,
        compact: true,
        span: { from: Date.parse(history.start) / 1000, to: Date.parse(history.end) / 1000 },
      });
    };
    void refresh();
    const timer = window.setInterval(() => void refresh(), REFRESH_MS);
    cleanups.push(() => {
      window.clearInterval(timer);
      drawn?.destroy();
    });
    return h(
      'article',
      { class: 'tile tile-meter', role: 'listitem', 'aria-label': meter.name, 'data-meter': meter.id },
      h('h3', {}, meter.name),
      h('div', { class: 'live-value' }, today, h('span', { class: 'note' }, t('today')), age),
      h('div', { class: 'live-value' }, power, h('span', { class: 'note' }, t('powerNow'))),
      plot,
    );
  };

  /** Whether there is something to show (series, or a problem reading them). */
  const loadSeries = async (): Promise<boolean> => {
    const { data: list, error } = await ctx.gw.GET('/api/v1/series', { params: { query: { limit: 100 } } });
    if (disposed) return false;
    if (!list) {
      seriesBody.replaceChildren(h('p', { role: 'alert' }, problemText(error)));
      return true;
    }
    if (list.items.length === 0) {
      seriesBody.replaceChildren(h('p', { class: 'muted' }, t('noSeries')));
      return false;
    }
    const ids = { series: uniqueId('series'), field: uniqueId('field'), range: uniqueId('range') };
    const choice = h(
      'select',
      { id: ids.series },
      ...list.items.map((s) => h('option', { value: s.id }, s.description || s.deviceDescription || s.id)),
    );
    const field = h('select', { id: ids.field });
    const range = h(
      'select',
      { id: ids.range },
      h('option', { value: 'today' }, t('presetToday')),
      h('option', { value: '7d' }, t('last7Days')),
      h('option', { value: '1month' }, t('last30Days')),
    );
    const plot = h('div', { class: 'plot', role: 'img', 'data-series-plot': '' });
    const note = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
    let drawn: { destroy(): void } | undefined;
    cleanups.push(() => drawn?.destroy());
    const selected = () => list.items.find((s) => s.id === choice.value)!;
    const fillFields = () => {
      const units = selected().units;
      field.replaceChildren(...Object.keys(units).map((name) => h('option', { value: name }, `${name} (${units[name]})`)));
    };
    const show = async () => {
      const series = selected();
      const query: AggregatesQuery =
        range.value === 'today'
          ? { from: isoDate(new Date()), interval: '5min' }
          : range.value === '7d'
            ? { duration: '7d', interval: 'hour' }
            : { duration: '1month', interval: 'day' };
      setText(note, t('loading'));
      const { data, error } = await ctx.gw.GET('/api/v1/series/{seriesId}/aggregates', {
        params: { path: { seriesId: series.id }, query },
      });
      if (disposed) return;
      if (!data) return setText(note, problemText(error));
      const { fields, buckets } = data;
      // A series whose units name no field yet: its fields as the points brought them.
      if (field.options.length === 0) field.replaceChildren(...fields.map((name) => h('option', { value: name }, name)));
      const name = field.value || fields[0] || '';
      const unit = series.units[name] ?? '';
      drawn?.destroy();
      plot.replaceChildren();
      plot.setAttribute('aria-label', `${series.description}: ${name}`);
      drawn = drawPlot(plot, {
        x: buckets.map((b) => Date.parse(b.start) / 1000),
        series: [{ label: name, values: buckets.map((b) => b.fields[name]?.avg ?? null) }],
        unit,
        bars: false,
        fromZero: false,
        span: { from: Date.parse(data.start) / 1000, to: Date.parse(data.end) / 1000 },
      });
      plot.dataset.drawn = String(Date.now());
      setText(note, buckets.some((b) => b.fields[name]?.avg != null) ? '' : t('noData'));
    };
    choice.addEventListener('change', () => {
      fillFields();
      void show();
    });
    field.addEventListener('change', () => void show());
    range.addEventListener('change', () => void show());
    fillFields();
    seriesBody.replaceChildren(
      h(
        'div',
        { class: 'filters' },
        h('div', { class: 'field' }, h('label', { for: ids.series }, t('series')), choice),
        h('div', { class: 'field' }, h('label', { for: ids.field }, t('measurement')), field),
        h('div', { class: 'field' }, h('label', { for: ids.range }, t('range')), range),
      ),
      note,
      plot,
    );
    await show();
    return true;
  };

  // With neither meters nor series one line says so; with either, both sections (the empty one says it is empty).
  void Promise.all([loadMeters(), loadSeries()]).then(
    ([haveMeters, haveSeries]) => {
      if (disposed) return;
      const any = haveMeters || haveSeries;
      metersSection.hidden = seriesSection.hidden = !any;
      setText(status, any ? '' : t('noDevices'));
    },
    (error: unknown) => setText(status, problemText(error)),
  );
  return {
    element,
    dispose: () => {
      disposed = true;
      for (const cleanup of cleanups) cleanup();
    },
  };
}
