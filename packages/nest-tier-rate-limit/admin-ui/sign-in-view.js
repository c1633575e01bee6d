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
      submit: async (values) => {
        const result = await this.context.api.request('POST', loginUrl, {
          body: values,
          token: false,
        });
        if (!result.ok || typeof result.body.accessToken === 'string') return result;
        return failure(502, 'The login answered without an accessToken');
      },
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
      submit: async ({ token }) => tokenResult(token),
      done: (result) => this.context.signIn(result.body.accessToken),
    });
    return form;
  }
}

/**
 * A pasted token as a result the form shows: without `Bearer ` or the line breaks a copy may add;
 * refused at its field unless it is printable ASCII (what an HTTP header can carry).
 * @param {unknown} token
 * @returns {Promise<import('./api.js').ApiResult>}
 */
async function tokenResult(token) {
  const bare =
    typeof token === 'string'
      ? token
          .trim()
          .replace(/^Bearer\s+/i, '')
          .replace(/\s+/g, '')
      : '';
  if (bare === '') return failure(400, ['token must not be empty']);
  if (!/^[\x21-\x7e]+$/.test(bare)) {
    return failure(400, ['token must hold only printable ASCII characters']);
  }
  return { status: 200, ok: true, body: { accessToken: bare }, retryAfter: null };
}

/** @param {number} status @param {string | string[]} message */
function failure(status, message) {
  return { status, ok: false, body: { message }, retryAfter: null };
}
