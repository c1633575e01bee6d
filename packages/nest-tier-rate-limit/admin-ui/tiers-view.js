import { DataTable } from './data-table.js';
import { confirmAction, openFormDialog } from './dialogs.js';
import { h, replace } from './dom.js';
import { emptyState, errorState, loadingState } from './state-views.js';
import { describeFailure } from './api.js';
import { changes, dateTime, quoted } from './format.js';

/** The tiers: a table, and create, edit and delete. */
export class TiersView {
  /** @param {import('./admin.js').Context} context */
  constructor(context) {
    this.context = context;
    this.body = h('div', {});
    this.alert = h('div', { class: 'view-alert', role: 'alert', hidden: true });
    this.table = new DataTable({
      caption: 'Tiers',
      rowKey: (tier) => tier.name,
      columns: [
        { key: 'id', label: 'Id', numeric: true },
        { key: 'name', label: 'Name' },
        { key: 'description', label: 'Description' },
        { key: 'updatedAt', label: 'Updated', render: (tier) => dateTime(tier.updatedAt) },
      ],
      actions: (tier) => [
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-label': `Edit tier ${tier.name}`,
            onclick: () => this.edit(tier),
          },
          'Edit',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'aria-label': `Delete tier ${tier.name}`,
            onclick: (event) => this.remove(tier, event.currentTarget),
          },
          'Delete',
        ),
      ],
      empty: () =>
        emptyState(
          'No tiers yet. A tier groups callers (free, pro…) so that rules can limit them alike.',
          h('button', { type: 'button', onclick: () => this.create() }, 'Create the first tier'),
        ),
    });
    this.element = h(
      'section',
      { 'aria-labelledby': 'tiers-title', class: 'view' },
      h(
        'div',
        { class: 'view-head' },
        h('h2', { id: 'tiers-title' }, 'Tiers'),
        h('button', { type: 'button', onclick: () => this.create() }, 'New tier'),
      ),
      this.alert,
      this.body,
    );
  }

  async load() {
    replace(this.body, loadingState());
    const list = await this.context.api.all('/tiers');
    if (!list.ok) {
      replace(
        this.body,
        errorState(list.result, () => this.load()),
      );
      return;
    }
    this.table.show(list.items);
    replace(this.body, this.table.element);
  }

  fields(tier = {}) {
    return [
      {
        name: 'name',
        label: 'Name',
        value: tier.name,
        hint: '1–50 characters, unique among tiers',
      },
      {
        name: 'description',
        label: 'Description',
        type: 'textarea',
        value: tier.description,
        hint: 'Optional, up to 500 characters',
      },
    ];
  }

  create() {
    openFormDialog({
      title: 'New tier',
      submitLabel: 'Create tier',
      fields: this.fields(),
      submit: (values) => this.context.api.call('POST', '/tiers', { body: values }),
      explain: explainTaken,
      done: (result) => this.changed(`Tier ${quoted(result.body.name)} created.`),
    });
  }

  /** @param {any} tier */
  edit(tier) {
    openFormDialog({
      title: `Edit tier ${tier.name}`,
      submitLabel: 'Save tier',
      fields: this.fields(tier),
      submit: (values) =>
        this.context.api.call('PATCH', `/tiers/${encodeURIComponent(tier.name)}`, {
          body: changes(tier, { name: values.name ?? '', description: values.description ?? null }),
        }),
      explain: explainTaken,
      done: (result) => this.changed(`Tier ${quoted(result.body.name)} saved.`),
    });
  }

  /**
   * Deletes after asking; its button stays disabled until the API answered, so one click is one
   * DELETE.
   * @param {any} tier
   * @param {HTMLButtonElement} button
   */
  async remove(tier, button) {
    const sure = await confirmAction({
      title: `Delete tier ${tier.name}?`,
      message:
        'Its callers keep their tier id, but no rule can be attached to it any more. A tier that live rules still use cannot be deleted.',
      confirmLabel: 'Delete tier',
    });
    if (!sure) return;
    button.disabled = true;
    const result = await this.context.api.call('DELETE', `/tiers/${encodeURIComponent(tier.name)}`);
    button.disabled = false;
    if (result.ok) {
      await this.changed(`Tier ${quoted(tier.name)} deleted.`);
      return;
    }
    const text =
      result.status === 409
        ? `Tier ${quoted(tier.name)} was not deleted: ${result.body.message}. Delete those rules or move them to another tier first.`
        : describeFailure(result);
    this.alert.hidden = false;
    replace(this.alert, text);
  }

  /** @param {string} message */
  async changed(message) {
    this.alert.hidden = true;
    this.context.announce(message);
    await this.load();
  }
}

/** A 409 on a tier's name in words. @param {import('./api.js').ApiResult} result */
function explainTaken(result) {
  if (result.status !== 409) return undefined;
  return `${result.body.message}: another live tier has that name. Choose another one.`;
}
