import { h, uniqueId } from './dom.js';
import { bindForm } from './fields.js';

/**
 * A modal form (native `<dialog>`: focus stays inside, Escape cancels). The API validates: the
 * form does not, so each of the API's 400 messages is shown at the field it names, the rest and
 * any other failure above the buttons.
 * @param {{
 *   title: string,
 *   submitLabel: string,
 *   fields: import('./fields.js').Field[],
 *   submit: (values: Record<string, unknown>) => Promise<import('./api.js').ApiResult>,
 *   explain?: (result: import('./api.js').ApiResult) => string | undefined,
 *   done: (result: import('./api.js').ApiResult) => void,
 * }} options
 */
export function openFormDialog({ title, submitLabel, fields, submit, explain, done }) {
  const titleId = uniqueId('dialog-title');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const form = h('form', { novalidate: true }, h('h2', { id: titleId }, title));
  const dialog = h('dialog', { 'aria-labelledby': titleId }, form);
  bindForm(form, {
    fields,
    submitLabel,
    extraButtons: [cancel],
    submit,
    explain,
    done: (result) => {
      dialog.close();
      done(result);
    },
  });
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/**
 * Asks before a change that cannot be undone; resolves true only on the confirming button.
 * @param {{ title: string, message: string, confirmLabel: string }} options
 * @returns {Promise<boolean>}
 */
export function confirmAction({ title, message, confirmLabel }) {
  return new Promise((resolve) => {
    const titleId = uniqueId('confirm-title');
    const messageId = uniqueId('confirm-message');
    let confirmed = false;
    const cancel = h('button', { type: 'button', class: 'secondary', autofocus: true }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'danger' }, confirmLabel);
    const dialog = h(
      'dialog',
      { role: 'alertdialog', 'aria-labelledby': titleId, 'aria-describedby': messageId },
      h('h2', { id: titleId }, title),
      h('p', { id: messageId }, message),
      h('div', { class: 'buttons' }, cancel, confirm),
    );
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      confirmed = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
