import { describeFailure } from './api.js';
import { h } from './dom.js';

/**
 * What a view shows when the API failed: what happened, and a way to try again.
 * @param {import('./api.js').ApiResult} result
 * @param {() => void} retry
 */
export function errorState(result, retry) {
  const title =
    result.status === 503 || result.status === 0
      ? 'The admin API is unavailable'
      : 'Could not load';
  return h(
    'div',
    { class: 'error-state', role: 'alert' },
    h('p', { class: 'state-title' }, title),
    h('p', {}, describeFailure(result)),
    h('button', { type: 'button', onclick: retry }, 'Retry'),
  );
}

/**
 * What a view shows when there is nothing yet, with the way to add the first one.
 * @param {string} text
 * @param {HTMLElement | null} [action]
 */
export function emptyState(text, action = null) {
  return h('div', { class: 'empty-state' }, h('p', {}, text), action);
}

/** A view's loading note. */
export function loadingState() {
  return h('p', { class: 'loading', role: 'status' }, 'Loading…');
}
