import { h } from './dom.js';
import { bindForm } from './fields.js';

/** Sign-in: the app's login when it has one, or a pasted bearer token. */
export class SignInView {
  /** @param {import('./admin.js').Context} context */
  constructor(context) {
    this.context = context;
    const { loginUrl } = context.settings;
    this.element = h(
      'section',
      { 'aria-labelledby': 'sign-in-title', class: 'view sign-in' },
      h('h2', { id: 'sign-in-title' }, 'Sign in'),
      loginUrl === null ? null : this.loginForm(loginUrl),
      this.tokenForm(loginUrl !== null),
    );
  }

  load() {
    this.element.querySelector('input, textarea')?.focus();
  }

  /** @param {string} loginUrl */
  loginForm(loginUrl) {
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'login-title' },
      h('h3', { id: 'login-title' }, 'With your account'),
    );
    bindForm(form, {
      fields: [
        { name: 'username', label: 'Username', autocomplete: 'username' },
        { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
      ],
      submitLabel: 'Sign in',
      submit: (values) =>
        this.context.api.request('POST', loginUrl, { body: values, token: false }),
      explain: (result) =>
        result.status === 401
          ? 'Wrong username or password.'
          : result.status === 429
            ? `Too many failed attempts. Try again in ${result.retryAfter ?? 'a few'} s.`
            : undefined,
      done: (result) => this.context.signIn(result.body.accessToken),
    });
    return form;
  }

  /** @param {boolean} alternative */
  tokenForm(alternative) {
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'token-title' },
      h('h3', { id: 'token-title' }, alternative ? 'Or with a token' : 'With a token'),
    );
    bindForm(form, {
      fields: [
        {
          name: 'token',
          label: 'Superuser bearer token',
          type: 'textarea',
          hint: 'Kept in this tab only, until you sign out or close it',
        },
      ],
      submitLabel: 'Use token',
      submit: async ({ token }) => {
        const bare = typeof token === 'string' ? token.replace(/^Bearer\s+/i, '').trim() : '';
        if (bare === '')
          return {
            status: 400,
            ok: false,
            body: { message: ['token must not be empty'] },
            retryAfter: null,
          };
        return { status: 200, ok: true, body: { accessToken: bare }, retryAfter: null };
      },
      done: (result) => this.context.signIn(result.body.accessToken),
    });
    return form;
  }
}
