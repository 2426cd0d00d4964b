import './styles.css';
import { forgetSignIn, restoreSignIn, signOut, whenSessionEnds, type SignedIn } from './api.ts';
import type { View, ViewContext } from './context.ts';
import { h, setText } from './dom.ts';
import { language, t, type MessageKey } from './i18n.ts';
import { LiveState, type StreamMessage } from './live-state.ts';
import { chargepointView } from './views/chargepoint.ts';
import { devicesView, hasDevices } from './views/devices.ts';
import { historyView } from './views/history.ts';
import { liveView } from './views/live.ts';
import { sessionsView } from './views/sessions.ts';
import { signInView } from './views/sign-in.ts';

// bench/dashboard.ts reads these marks to split the time to the first live values.
performance.mark('owg:script-start');
const root = document.getElementById('app')!;
document.documentElement.lang = language;
document.title = t('appName');

const ROUTES: { path: string; label: MessageKey }[] = [
  { path: 'live', label: 'navLive' },
  { path: 'history', label: 'navHistory' },
  { path: 'sessions', label: 'navSessions' },
  { path: 'devices', label: 'navDevices' },
];

function showSignIn(notice?: string): void {
  root.replaceChildren(signInView(start, notice));
}

/** The signed-in page: header with navigation and the stream's state, one view at a time chosen by the URL's hash. */
function start(signedIn: SignedIn): void {
  const { gw } = signedIn;
  const live = new LiveState();
  const connection = h('span', { class: 'connection', role: 'status', 'data-connection': 'connecting' }, t('connecting'));
  let view: View | undefined;
  let route: (() => void) | undefined;
  let ended = false;

  const stream = gw.stream({
    onMessage: (message) => {
      if (message.type === 'snapshot') {
        if (performance.getEntriesByName('owg:snapshot').length === 0) performance.mark('owg:snapshot');
        connection.dataset.connection = 'live';
        setText(connection, t('connected'));
      }
      live.apply(message as unknown as StreamMessage);
    },
    onDisconnect: ({ reconnectInMs }) => {
      if (reconnectInMs === undefined) return;
      connection.dataset.connection = 'offline';
      setText(connection, t('disconnected', { s: Math.ceil(reconnectInMs / 1000) }));
    },
  });
  const end = (notice?: string) => {
    if (ended) return;
    ended = true;
    stream.close();
    view?.dispose();
    if (route) window.removeEventListener('hashchange', route);
    showSignIn(notice);
  };
  void stream.closed.then((result) => result.reauthenticate && end(t('sessionEnded')));
  whenSessionEnds(() => end(t('sessionEnded')));
  // The stream connects meanwhile; its values wait in `live` for the first view.
  signedIn.principal.then(
    (principal) => ended || render({ gw, principal, live }),
    () => {
      forgetSignIn();
      end();
    },
  );

  function render(ctx: ViewContext): void {
    const links = ROUTES.map((r) => h('a', { href: `#/${r.path}`, 'data-route': r.path }, t(r.label)));
    const main = h('main', { id: 'main', tabindex: -1 });
    const signOutButton = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          // Signing out ends the session on purpose: no "your session has ended" notice.
          whenSessionEnds(() => undefined);
          void signOut(gw).finally(() => end());
        },
      },
      t('signOut'),
    );
    const header = h(
      'header',
      { class: 'top' },
      h('a', { class: 'brand', href: '#/live' }, t('appName')),
      h('nav', { 'aria-label': t('mainNav') }, ...links),
      h('div', { class: 'session' }, connection, h('span', { class: 'who' }, ctx.principal.name), signOutButton),
    );
    root.replaceChildren(h('a', { class: 'skip', href: '#main' }, t('skipToContent')), header, main);
    // "Other devices" only for someone who has pulse meters or measurement series (hasDevices); the rest never sees an empty page.
    const devicesLink = links.find((link) => link.dataset.route === 'devices')!;
    devicesLink.hidden = true;
    void hasDevices(gw).then((available) => {
      devicesLink.hidden = !available;
      devicesLink.dataset.probed = 'true';
    });

    route = () => {
      const hash = window.location.hash.replace(/^#\/?/, '');
      if (hash === 'main') return;
      const [name, id] = hash.split('/');
      view?.dispose();
      view =
        name === 'chargepoint' && id
          ? chargepointView(ctx, decodeURIComponent(id))
          : name === 'history'
            ? historyView(ctx)
            : name === 'sessions'
              ? sessionsView(ctx)
              : name === 'devices'
                ? devicesView(ctx)
                : liveView(ctx);
      const current = name === 'chargepoint' ? 'live' : ROUTES.some((r) => r.path === name) ? name : 'live';
      for (const link of links) {
        if (link.dataset.route === current) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
      const hadFocusInHeader = document.activeElement !== null && header.contains(document.activeElement);
      main.replaceChildren(view.element);
      document.title = `${view.element.querySelector('h1')?.textContent ?? ''} · ${t('appName')}`;
      // Keyboard users who chose a view from the menu continue in it, as after a page load.
      if (hadFocusInHeader) main.focus({ preventScroll: true });
    };
    window.addEventListener('hashchange', route);
    route();
  }
}

restoreSignIn().then(
  (signedIn) => (signedIn ? start(signedIn) : showSignIn()),
  () => {
    forgetSignIn();
    showSignIn();
  },
);
