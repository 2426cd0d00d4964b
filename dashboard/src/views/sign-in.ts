import { problemText, signInWithApiKey, signInWithPassword, type SignedIn } from '../api.ts';
import { h, setText } from '../dom.ts';
import { t } from '../i18n.ts';

/** Sign-in with user name and password (access and refresh token), or with an API key. */
export function signInView(onSignedIn: (signedIn: SignedIn) => void, notice?: string): HTMLElement {
  let withKey = false;
  const username = h('input', {
    id: 'username',
    name: 'username',
    autocomplete: 'username',
    required: true,
    maxlength: 64,
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    maxlength: 128,
  });
  const apiKey = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', maxlength: 200, spellcheck: 'false' });
  const passwordFields = h(
    'div',
    {},
    h('div', { class: 'field' }, h('label', { for: 'username' }, t('username')), username),
    h('div', { class: 'field' }, h('label', { for: 'password' }, t('password')), password),
  );
  const keyFields = h('div', { hidden: true }, h('div', { class: 'field' }, h('label', { for: 'api-key' }, t('apiKey')), apiKey));
  const message = h('p', { class: 'error', role: 'alert' }, notice ?? '');
  const submit = h('button', { type: 'submit' }, t('signIn'));
  const toggle = h('button', { type: 'button', class: 'link' }, t('useApiKey'));
  toggle.addEventListener('click', () => {
    withKey = !withKey;
    passwordFields.hidden = withKey;
    keyFields.hidden = !withKey;
    username.required = password.required = !withKey;
    apiKey.required = withKey;
    setText(toggle, t(withKey ? 'usePassword' : 'useApiKey'));
    (withKey ? apiKey : username).focus();
  });
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, t('signInTitle')),
    h('p', { class: 'muted' }, t('signInIntro')),
    passwordFields,
    keyFields,
    message,
    submit,
    toggle,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    setText(message, t('signingIn'));
    const attempt = withKey ? signInWithApiKey(apiKey.value.trim()) : signInWithPassword(username.value.trim(), password.value);
    attempt.then(
      (signedIn) => onSignedIn(signedIn),
      (error: unknown) => {
        submit.disabled = false;
        password.value = '';
        setText(message, t('signInFailed', { detail: problemText(error) }));
      },
    );
  });
  queueMicrotask(() => username.focus());
  // bench/dashboard.ts: the baseline, the page shown without data.
  requestAnimationFrame(() => setTimeout(() => performance.mark('owg:sign-in-shown'), 0));
  return h('main', { id: 'main', class: 'centered' }, form);
}
