import { canControl, problemText, type Schemas } from '../api.ts';
import { h, setText, uniqueId } from '../dom.ts';
import { formatEnergy, formatPercent, formatPower } from '../format.ts';
import { t, type MessageKey } from '../i18n.ts';
import { LiveValue } from '../live-value.ts';
import type { Command, LiveObject } from '../live-state.ts';
import type { View, ViewContext } from '../context.ts';

type Mode = Schemas['ChargeModeRequest']['mode'];
const MODES: { mode: Mode; label: MessageKey }[] = [
  { mode: 'instant', label: 'modeInstant' },
  { mode: 'pv', label: 'modePv' },
  { mode: 'minPv', label: 'modeMinPv' },
  { mode: 'eco', label: 'modeEco' },
  { mode: 'scheduled', label: 'modeScheduled' },
  { mode: 'stop', label: 'modeStop' },
];
const MODE_LABELS: Record<string, MessageKey> = { ...Object.fromEntries(MODES.map((m) => [m.mode, m.label])), standby: 'modeStandby' };

export function chargeModeLabel(mode: unknown): string {
  const key = typeof mode === 'string' ? MODE_LABELS[mode] : undefined;
  return key ? t(key) : t('modeUnknown');
}

/** One chargepoint: its live values and, when the user's scope allows, charge mode, current and lock, each showing pending → applied. */
export function chargepointView(ctx: ViewContext, id: string): View {
  const object = () => ctx.live.get('chargepoint', id);
  const title = h('h1', { id: 'cp-title' }, `${t('chargepoint')} ${id}`);
  const back = h('a', { href: '#/live', class: 'back' }, `← ${t('back')}`);
  if (!ctx.live.chargepointIds.includes(id) && ctx.live.objects.size > 0) {
    return { element: h('section', {}, back, title, h('p', { role: 'alert' }, t('notFound'))), dispose: () => {} };
  }
  const values = [
    new LiveValue(
      `chargepoint.${id}.power`,
      (v) => formatPower(v as number),
      'power',
      () => t('powerNow'),
    ),
    new LiveValue(
      `chargepoint.${id}.mode`,
      (v) => chargeModeLabel(v),
      'chargeMode',
      () => t('chargeMode'),
    ),
    new LiveValue(
      `chargepoint.${id}.plugged`,
      (v) => t(v ? 'plugged' : 'unplugged'),
      'plugged',
      () => t('plug'),
    ),
    new LiveValue(
      `chargepoint.${id}.locked`,
      (v) => t(v ? 'locked' : 'unlocked'),
      'locked',
      () => t('lockState'),
    ),
    new LiveValue(
      `chargepoint.${id}.setCurrent`,
      (v) => `${v as number} A`,
      'setCurrent',
      () => t('current'),
    ),
    new LiveValue(
      `chargepoint.${id}.energyToday`,
      (v) => formatEnergy(v as number),
      'energyToday',
      () => t('energyToday'),
    ),
    new LiveValue(
      `chargepoint.${id}.vehicleSoc`,
      (v) => vehicleText(v),
      'vehicle',
      () => t('vehicle'),
    ),
    new LiveValue(
      `chargepoint.${id}.statusText`,
      (v) => String(v),
      'statusText',
      () => t('status'),
    ),
  ];
  const grid = h('div', { class: 'values' }, ...values.map((v) => v.element));
  const controls = canControl(ctx.principal, id) ? controlPanel(ctx, id, object) : undefined;
  const element = h(
    'section',
    { 'aria-labelledby': 'cp-title', 'data-chargepoint-view': id },
    back,
    title,
    grid,
    controls?.element ?? h('p', { class: 'muted' }, t('controlsReadOnly')),
  );
  const update = (cp: LiveObject | undefined) => {
    const name = cp?.fields.get('name')?.value;
    if (typeof name === 'string' && name) setText(title, name);
    for (const value of values) value.update(cp);
    controls?.update(cp);
  };
  const stop = ctx.live.onChange((cp) => cp.kind === 'chargepoint' && cp.id === id && update(cp));
  const stopStructure = ctx.live.onStructure(() => update(object()));
  const timer = window.setInterval(() => values.forEach((v) => v.tick(Date.now())), 1000);
  update(object());
  return {
    element,
    dispose: () => {
      stop();
      stopStructure();
      controls?.dispose();
      window.clearInterval(timer);
    },
  };
}

function vehicleText(value: unknown): string {
  const vehicle = value as { name?: string | null; soc?: number | null } | null;
  return vehicle ? `${vehicle.name ?? '–'} · ${formatPercent(vehicle.soc)}` : '–';
}

function controlPanel(ctx: ViewContext, id: string, object: () => LiveObject | undefined) {
  const status = h('p', { class: 'command-status', role: 'status', 'aria-live': 'polite', 'data-command-status': '' });
  const path = { params: { path: { chargepointId: id } }, headers: { Prefer: 'respond-async' } } as const;
  let awaited: { id: string; what: string } | undefined;

  const show = (command: Pick<Command, 'status' | 'id'>, what: string) => {
    const key: MessageKey = { pending: 'commandPending', applied: 'commandApplied', sent: 'commandSent', timeout: 'commandTimeout' }[
      command.status
    ] as MessageKey;
    status.dataset.state = command.status;
    status.dataset.commandId = command.id;
    setText(status, t(key, { what }));
  };
  const run = async (what: string, send: () => Promise<{ data?: Command; error?: unknown; response: Response }>) => {
    status.dataset.state = 'sending';
    setText(status, t('commandPending', { what }));
    try {
      const result = await send();
      if (!result.data) throw result.error ?? new Error(String(result.response.status));
      awaited = { id: result.data.id, what };
      const seen = ctx.live.commands.get(result.data.id);
      show(seen && seen.status !== 'pending' ? seen : result.data, what);
    } catch (error) {
      status.dataset.state = 'failed';
      setText(status, t('commandFailed', { what, detail: problemText(error) }));
    }
  };
  const stopCommands = ctx.live.onCommand((command) => {
    if (awaited && command.id === awaited.id) show(command, awaited.what);
  });

  // Buttons, not radios: arrow keys move through a radio group and would send a command for every mode passed.
  const modeButtons = MODES.map(({ mode, label }) =>
    h(
      'button',
      {
        type: 'button',
        'aria-pressed': 'false',
        'data-mode': mode,
        onclick: () =>
          void run(`${t('chargeMode')} ${t(label)}`, () =>
            ctx.gw.PUT('/api/v1/chargepoints/{chargepointId}/charge-mode', { ...path, body: { mode } }),
          ),
      },
      t(label),
    ),
  );
  const modeGroup = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-labelledby': 'mode-label' },
    h('span', { id: 'mode-label', class: 'group-label' }, t('chargeMode')),
    ...modeButtons,
  );

  const currentId = uniqueId('current');
  const currentInput = h('input', { type: 'number', id: currentId, min: 6, max: 32, step: 1, value: 16, inputmode: 'numeric' });
  const currentForm = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const current = Math.round(Number(currentInput.value));
        void run(`${t('current')} ${current} A`, () =>
          ctx.gw.PUT('/api/v1/chargepoints/{chargepointId}/instant-charging', { ...path, body: { current } }),
        );
      },
    },
    h('label', { for: currentId }, `${t('current')} (A)`),
    currentInput,
    h('button', { type: 'submit' }, t('apply')),
  );

  const lockButton = h('button', {
    type: 'button',
    class: 'secondary',
    'data-action': 'lock',
    onclick: () => {
      const locked = object()?.fields.get('locked')?.value !== true;
      void run(t(locked ? 'lock' : 'unlock'), () => ctx.gw.PUT('/api/v1/chargepoints/{chargepointId}/lock', { ...path, body: { locked } }));
    },
  });

  void ctx.gw.GET('/api/v1/chargepoints/{chargepointId}/charge-settings', { params: { path: { chargepointId: id } } }).then(({ data }) => {
    const current = data?.instantCharging?.current;
    if (typeof current === 'number') currentInput.value = String(current);
  });

  const element = h(
    'section',
    { class: 'controls', 'aria-labelledby': 'controls-title' },
    h('h2', { id: 'controls-title' }, t('controls')),
    modeGroup,
    currentForm,
    lockButton,
    status,
  );
  return {
    element,
    update(cp: LiveObject | undefined) {
      const mode = cp?.fields.get('chargeMode')?.value;
      for (const button of modeButtons) button.setAttribute('aria-pressed', String(button.dataset.mode === mode));
      setText(lockButton, t(cp?.fields.get('locked')?.value === true ? 'unlock' : 'lock'));
    },
    dispose: stopCommands,
  };
}
