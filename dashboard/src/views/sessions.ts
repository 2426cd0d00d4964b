import { problemText, type Schemas } from '../api.ts';
import { h, setText, uniqueId } from '../dom.ts';
import { saveDownload } from '../download.ts';
import { formatDateTime, formatDuration, formatEnergy, formatMoney, isoDate } from '../format.ts';
import { language, t, type MessageKey } from '../i18n.ts';
import type { View, ViewContext } from '../context.ts';

interface Filter {
  from?: string;
  to?: string;
  chargepoint?: string;
  tag?: string;
}

/** The user's charging sessions (the gateway shows a user only their own), filterable, with CSV, XLSX and PDF downloads. */
export function sessionsView(ctx: ViewContext): View {
  const now = new Date();
  const ids = { from: uniqueId('from'), to: uniqueId('to'), cp: uniqueId('cp'), tag: uniqueId('tag') };
  const from = h('input', { type: 'date', id: ids.from, value: isoDate(new Date(now.getFullYear(), now.getMonth(), 1)) });
  const to = h('input', { type: 'date', id: ids.to, value: isoDate(new Date(now.getFullYear(), now.getMonth() + 1, 1)) });
  const chargepoint = h(
    'select',
    { id: ids.cp },
    h('option', { value: '' }, t('allChargepoints')),
    ...ctx.live.chargepointIds.map((id) => h('option', { value: id }, `${t('chargepoint')} ${id}`)),
  );
  const tag = h('input', { type: 'text', id: ids.tag, maxlength: 200, autocomplete: 'off' });
  const field = (id: string, label: MessageKey, control: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: id }, t(label)), control);
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', 'data-download-status': '' });
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => void load(false) }, t('loadMore'));
  // The tariff's currency, as the summary names it, until the summary has answered.
  let currency = 'EUR';
  const totals = h('p', { class: 'totals', 'data-totals': '' });
  let cursor: string | null = null;
  let shown = 0;

  const filter = (): Filter => ({
    from: from.value || undefined,
    to: to.value || undefined,
    chargepoint: chargepoint.value || undefined,
    tag: tag.value.trim() || undefined,
  });

  const row = (s: Schemas['Session']) =>
    h(
      'tr',
      {},
      h('td', {}, formatDateTime(s.start)),
      h('td', {}, s.end ? formatDateTime(s.end) : t('running')),
      h('td', {}, s.chargepointId),
      h('td', { class: 'number' }, formatEnergy(s.energy)),
      h('td', { class: 'number' }, formatDuration(s.chargingTime)),
      h('td', {}, s.vehicle?.name ?? '–'),
      h('td', {}, s.rfidTag ?? '–'),
      h('td', { class: 'number' }, formatMoney(s.cost, currency)),
    );

  let generation = 0;
  const load = async (fresh: boolean) => {
    const mine = ++generation;
    if (fresh) {
      cursor = null;
      shown = 0;
    }
    setText(status, t('loading'));
    const f = filter();
    const { data, error } = await ctx.gw.GET('/api/v1/sessions', {
      params: { query: { ...f, limit: 50, ...(cursor ? { cursor } : {}) } },
    });
    if (mine !== generation) return;
    if (!data) return setText(status, problemText(error));
    if (fresh) body.replaceChildren();
    body.append(...data.items.map(row));
    shown += data.items.length;
    cursor = data.nextCursor;
    more.hidden = !cursor;
    setText(status, shown === 0 ? t('noSessions') : t('sessionsCount', { n: shown }));
    if (fresh) void summarize(f, mine);
  };

  /** Totals of the filtered range (the summary knows no tag filter: then none are shown). */
  const summarize = async (f: Filter, mine: number) => {
    if (f.tag) return setText(totals, '');
    const { data } = await ctx.gw.GET('/api/v1/sessions/summary', {
      params: { query: { interval: 'year', from: f.from, to: f.to, chargepoint: f.chargepoint } },
    });
    if (!data || mine !== generation) return;
    currency = data.currency;
    const sum = data.totals;
    setText(
      totals,
      `${t('total')} ${t('sessionsTotal', { n: sum.count })} · ${formatEnergy(sum.energy)} · ${formatDuration(sum.chargingTime)} · ${formatMoney(sum.cost, currency)}`,
    );
  };

  const download = async (kind: 'csv' | 'xlsx' | 'pdf') => {
    const label = t(kind === 'csv' ? 'downloadCsv' : kind === 'xlsx' ? 'downloadXlsx' : 'downloadPdf');
    setText(status, t('downloading', { what: label }));
    status.dataset.state = 'loading';
    const f = filter();
    const lang = language;
    try {
      const result =
        kind === 'csv'
          ? await ctx.gw.GET('/api/v1/sessions/export.csv', {
              params: { query: { ...f, lang, ...(lang === 'de' ? { delimiter: ';', decimal: 'comma', bom: true } : {}) } },
              parseAs: 'blob',
            })
          : kind === 'xlsx'
            ? await ctx.gw.GET('/api/v1/sessions/export.xlsx', { params: { query: { ...f, lang } }, parseAs: 'blob' })
            : await ctx.gw.GET('/api/v1/sessions/report.pdf', {
                params: {
                  query: {
                    ...(f.from && f.to ? { from: f.from, to: f.to } : {}),
                    chargepoint: f.chargepoint,
                    tag: f.tag,
                    lang,
                  },
                },
                parseAs: 'blob',
              });
      const name = await saveDownload(result, `sessions.${kind}`);
      setText(status, t('downloaded', { what: name }));
      status.dataset.state = 'done';
    } catch (error) {
      setText(status, problemText(error));
      status.dataset.state = 'failed';
    }
  };

  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void load(true);
      },
    },
    field(ids.from, 'from', from),
    field(ids.to, 'to', to),
    field(ids.cp, 'chargepoint', chargepoint),
    field(ids.tag, 'rfidTag', tag),
    h('button', { type: 'submit' }, t('filter')),
  );
  const downloads = h(
    'div',
    { class: 'presets', role: 'group', 'aria-label': t('download') },
    h('span', { class: 'group-label' }, `${t('download')}:`),
    h('button', { type: 'button', class: 'secondary', 'data-download': 'csv', onclick: () => void download('csv') }, t('downloadCsv')),
    h('button', { type: 'button', class: 'secondary', 'data-download': 'xlsx', onclick: () => void download('xlsx') }, t('downloadXlsx')),
    h('button', { type: 'button', class: 'secondary', 'data-download': 'pdf', onclick: () => void download('pdf') }, t('downloadPdf')),
  );
  const headers: MessageKey[] = ['start', 'end', 'chargepoint', 'energy', 'duration', 'vehicle', 'rfidTag', 'cost'];
  const table = h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': 'sessions-title' },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, t('sessions')),
      h(
        'thead',
        {},
        h('tr', {}, ...headers.map((key, i) => h('th', { scope: 'col', class: [3, 4, 7].includes(i) ? 'number' : undefined }, t(key)))),
      ),
      body,
    ),
  );
  const element = h(
    'section',
    { 'aria-labelledby': 'sessions-title' },
    h('h1', { id: 'sessions-title' }, t('sessions')),
    form,
    downloads,
    status,
    table,
    more,
    totals,
  );
  void load(true);
  return { element, dispose: () => generation++ };
}
