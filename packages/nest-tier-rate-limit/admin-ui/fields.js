import { describeFailure, messagesOf } from './api.js';
import { h, replace, uniqueId } from './dom.js';
import { fieldErrors } from './field-errors.js';

/**
 * @typedef {object} Field
 * @property {string} name the API's field name, which its 400 messages start with
 * @property {string} label
 * @property {'text' | 'number' | 'select' | 'textarea' | 'password'} [type] default `text`
 * @property {{ value: string, label: string }[]} [options] for `select`
 * @property {string | number | null} [value]
 * @property {string} [hint]
 * @property {string} [autocomplete] default `off`
 * @property {(values: Record<string, unknown>) => boolean} [shownWhen] hidden (and not sent) otherwise
 */

/**
 * Fills a form with labelled fields and a submit button, and submits it to the API. The API
 * validates, the form does not: each of a 400's messages is shown at the field it names, the
 * rest, and any other failure, above the buttons.
 * @param {HTMLFormElement} form
 * @param {{
 *   fields: Field[],
 *   submitLabel: string,
 *   extraButtons?: HTMLElement[],
 *   submit: (values: Record<string, any>) => Promise<import('./api.js').ApiResult>,
 *   explain?: (result: import('./api.js').ApiResult) => string | undefined,
 *   done: (result: import('./api.js').ApiResult) => void,
 * }} options
 */
export function bindForm(form, { fields, submitLabel, extraButtons = [], submit, explain, done }) {
  const rows = new Map(fields.map((field) => [field.name, fieldRow(field)]));
  const alert = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit' }, submitLabel);
  form.append(
    ...[...rows.values()].map((row) => row.element),
    alert,
    h('div', { class: 'buttons' }, ...extraButtons, save),
  );
  const read = () => Object.fromEntries(fields.map((f) => [f.name, rows.get(f.name).read()]));
  const shown = (all) => fields.filter((field) => !field.shownWhen || field.shownWhen(all));
  const updateShown = () => {
    const all = read();
    for (const field of fields) rows.get(field.name).element.hidden = !shown(all).includes(field);
  };
  form.addEventListener('input', updateShown);
  updateShown();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const all = read();
    const names = shown(all).map((field) => field.name);
    save.disabled = true;
    const result = await submit(Object.fromEntries(names.map((name) => [name, all[name]])));
    save.disabled = false;
    for (const row of rows.values()) row.showErrors([]);
    alert.hidden = true;
    if (result.ok) {
      done(result);
      return;
    }
    const { byField, rest } =
      result.status === 400
        ? fieldErrors(messagesOf(result), names)
        : { byField: new Map(), rest: [] };
    for (const [name, messages] of byField) rows.get(name).showErrors(messages);
    const general =
      result.status === 400 ? rest.join('; ') : (explain?.(result) ?? describeFailure(result));
    alert.hidden = general === '';
    replace(alert, general);
    const first = [...byField.keys()][0];
    if (first !== undefined) rows.get(first).focus();
  });
}

/**
 * One labelled control with its hint and its error, tied to it by `aria-describedby`.
 * @param {Field} field
 */
export function fieldRow(field) {
  const id = uniqueId(`field-${field.name}`);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const type = field.type ?? 'text';
  const common = {
    id,
    name: field.name,
    'aria-describedby': [field.hint ? hintId : null, errorId].filter(Boolean).join(' '),
  };
  /** @type {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} */
  let control;
  if (type === 'select') {
    control = h(
      'select',
      common,
      ...(field.options ?? []).map((option) =>
        h(
          'option',
          { value: option.value, selected: String(field.value ?? '') === option.value },
          option.label,
        ),
      ),
    );
  } else if (type === 'textarea') {
    control = h('textarea', {
      ...common,
      rows: 3,
      autocomplete: field.autocomplete ?? 'off',
      spellcheck: 'false',
    });
    control.value = field.value == null ? '' : String(field.value);
  } else {
    control = h('input', {
      ...common,
      type: type === 'number' || type === 'password' ? type : 'text',
      inputmode: type === 'number' ? 'numeric' : null,
      autocomplete: field.autocomplete ?? 'off',
      // Nothing typed here is prose; a spell-checking service would receive it.
      spellcheck: 'false',
      value: field.value ?? '',
    });
  }
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const element = h(
    'div',
    { class: 'field', 'data-field': field.name },
    h('label', { for: id }, field.label),
    control,
    field.hint && h('p', { class: 'hint', id: hintId }, field.hint),
    error,
  );
  return {
    element,
    focus: () => control.focus(),
    /** The value to send: numbers as numbers, what is not one as typed (the API names it). */
    read: () => {
      // Text as typed, spaces included: the API decides, and an untouched field stays unchanged.
      const raw = control.value;
      if (raw === '') return undefined;
      if (type !== 'number') return raw;
      const number = Number(raw.trim());
      return raw.trim() !== '' && Number.isFinite(number) ? number : raw;
    },
    /** @param {string[]} messages */
    showErrors: (messages) => {
      error.hidden = messages.length === 0;
      replace(error, messages.join('; '));
      if (messages.length === 0) control.removeAttribute('aria-invalid');
      else control.setAttribute('aria-invalid', 'true');
    },
  };
}
