import { AdminApi } from './api.js';
import { CountersView } from './counters-view.js';
import { replace } from './dom.js';
import { LookupView } from './lookup-view.js';
import { RulesView } from './rules-view.js';
import { Session } from './session.js';
import { SignInView } from './sign-in-view.js';
import { TiersView } from './tiers-view.js';

/**
 * @typedef {object} Settings what the server tells the page (see `renderAdminPage`)
 * @property {string} apiBase
 * @property {string | null} loginUrl
 * @property {string[]} algorithms
 * @property {string[]} modes
 * @property {string[]} methods
 */

/**
 * @typedef {object} Context what every view shares
 * @property {Settings} settings
 * @property {AdminApi} api
 * @property {(message: string) => void} announce says it in the status line (read out by screen readers)
 * @property {(token: string) => void} signIn
 */

/** The sections, by the hash that shows them. */
const SECTIONS = { tiers: TiersView, rules: RulesView, lookup: LookupView, counters: CountersView };

const settings = /** @type {Settings} */ (
  JSON.parse(document.getElementById('settings').textContent)
);
const session = new Session();
const main = document.getElementById('main');
const status = document.getElementById('status');
const nav = document.getElementById('sections');
const who = document.getElementById('who');
const sessionBar = document.getElementById('session');

const api = new AdminApi(
  settings.apiBase,
  () => session.token,
  () => {
    session.signOut();
    show('sign-in', 'The API refused the token (401): sign in again.');
  },
);

/** @type {Context} */
const context = {
  settings,
  api,
  announce: (message) => {
    status.textContent = message;
  },
  signIn: (token) => {
    session.signIn(token);
    status.textContent = 'Signed in.';
    if (location.hash === '#tiers') route();
    else location.hash = '#tiers';
  },
};

/**
 * Shows one view: the sign-in while there is no token, else the section the hash names.
 * @param {string} name
 * @param {string} [message]
 */
function show(name, message) {
  // A dialog belongs to the view it was opened from.
  for (const dialog of document.querySelectorAll('dialog')) dialog.close();
  const signedIn = session.token !== null;
  const section = signedIn && name in SECTIONS ? name : signedIn ? 'tiers' : 'sign-in';
  nav.hidden = !signedIn;
  sessionBar.hidden = !signedIn;
  who.textContent = signedIn
    ? `Signed in${session.describe() ? ` as ${session.describe()}` : ' with a token'}`
    : '';
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#${section}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const View = section === 'sign-in' ? SignInView : SECTIONS[section];
  const view = new View(context);
  replace(main, view.element);
  document.title = `${view.element.querySelector('h2')?.textContent ?? 'Admin'} · Rate limits`;
  if (message !== undefined) status.textContent = message;
  void view.load();
}

function route() {
  show(location.hash.slice(1));
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  history.replaceState(null, '', location.pathname);
  show('sign-in', 'Signed out.');
});
window.addEventListener('hashchange', route);
route();
