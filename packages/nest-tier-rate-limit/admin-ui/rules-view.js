import { describeFailure } from './api.js';
import { DataTable } from './data-table.js';
import { confirmAction, openFormDialog } from './dialogs.js';
import { h, replace } from './dom.js';
import { changes, duration, quoted } from './format.js';
import { emptyState, errorState, loadingState } from './state-views.js';

/** Fields an edit always sends when emptied, so that the API says what they need. */
const REQUIRED = ['name', 'tierId', 'path', 'limit', 'period'];

/** The rules: a table filtered by tier, and create, edit and delete. */
export class RulesView {
  /** @param {import('./admin.js').Context} context */
  constructor(context) {
    this.context = context;
    /** @type {any[]} */
    this.tiers = [];
    /** @type {any[]} */
    this.rules = [];
    this.body = h('div', {});
    this.alert = h('div', { class: 'view-alert', role: 'alert', hidden: true });
    this.filter = h('select', { id: 'rules-tier-filter', onchange: () => this.showRules() });
    this.table = new DataTable({
      caption: 'Rules',
      rowKey: (rule) => rule.name,
      columns: [
        { key: 'name', label: 'Name' },
        {
          key: 'tier',
          label: 'Tier',
          sortValue: (rule) => this.tierName(rule.tierId),
          render: (rule) => this.tierName(rule.tierId),
        },
        { key: 'path', label: 'Path', render: (rule) => h('code', {}, rule.path) },
        { key: 'limit', label: 'Limit', numeric: true },
        { key: 'period', label: 'Period', numeric: true, render: (rule) => duration(rule.period) },
        { key: 'algorithm', label: 'Algorithm' },
        {
          key: 'burst',
          label: 'Burst',
          numeric: true,
          sortValue: (rule) => rule.burst ?? rule.limit,
          render: (rule) =>
            rule.algorithm === 'gcra' ? (rule.burst ?? `${rule.limit} (limit)`) : '—',
        },
        { key: 'mode', label: 'Mode' },
      ],
      actions: (rule) => [
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-label': `Edit rule ${rule.name}`,
            onclick: () => this.edit(rule),
          },
          'Edit',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'aria-label': `Delete rule ${rule.name}`,
            onclick: (event) => this.remove(rule, event.currentTarget),
          },
          'Delete',
        ),
      ],
      empty: () =>
        emptyState(
          this.filter.value === ''
            ? 'No rules yet: every guarded route uses its own limits.'
            : 'This tier has no rules.',
          this.tiers.length === 0
            ? null
            : h('button', { type: 'button', onclick: () => this.create() }, 'Create a rule'),
        ),
    });
    this.newButton = h('button', { type: 'button', onclick: () => this.create() }, 'New rule');
    this.element = h(
      'section',
      { 'aria-labelledby': 'rules-title', class: 'view' },
      h('div', { class: 'view-head' }, h('h2', { id: 'rules-title' }, 'Rules'), this.newButton),
      h(
        'div',
        { class: 'filters' },
        h('label', { for: 'rules-tier-filter' }, 'Show tier '),
        this.filter,
      ),
      this.alert,
      this.body,
    );
  }

  async load() {
    replace(this.body, loadingState());
    const [tiers, rules] = await Promise.all([
      this.context.api.all('/tiers'),
      this.context.api.all('/rate-limits'),
    ]);
    const failed = !tiers.ok ? tiers : !rules.ok ? rules : null;
    if (failed !== null) {
      replace(
        this.body,
        errorState(failed.result, () => this.load()),
      );
      return;
    }
    this.tiers = tiers.items;
    this.rules = rules.items;
    const selected = this.filter.value;
    replace(
      this.filter,
      h('option', { value: '' }, 'All tiers'),
      ...this.tiers.map((tier) =>
        h('option', { value: tier.id, selected: String(tier.id) === selected }, tier.name),
      ),
    );
    this.newButton.disabled = this.tiers.length === 0;
    this.newButton.title = this.tiers.length === 0 ? 'Create a tier first' : '';
    this.showRules();
    replace(this.body, this.table.element);
  }

  showRules() {
    const tierId = this.filter.value;
    this.table.show(
      tierId === '' ? this.rules : this.rules.filter((rule) => String(rule.tierId) === tierId),
    );
  }

  /** @param {number} id */
  tierName(id) {
    return this.tiers.find((tier) => tier.id === id)?.name ?? `#${id}`;
  }

  fields(rule = {}) {
    const { algorithms, modes } = this.context.settings;
    const tierOptions = this.tiers.map((tier) => ({ value: String(tier.id), label: tier.name }));
    const filtered = this.filter.value;
    return [
      {
        name: 'name',
        label: 'Name',
        value: rule.name,
        hint:
          rule.name === undefined
            ? 'Optional: named after its tier and path when left empty'
            : 'Unique among rules',
      },
      {
        name: 'tierId',
        label: 'Tier',
        type: 'select',
        options: tierOptions,
        value: rule.tierId ?? (filtered === '' ? tierOptions[0]?.value : filtered),
      },
      {
        name: 'path',
        label: 'Path',
        value: rule.path,
        hint: 'A route (/api/v1/widgets), a template (/api/v1/widgets/:id), or * for the tier’s total',
      },
      {
        name: 'limit',
        label: 'Limit',
        type: 'number',
        value: rule.limit,
        hint: 'Requests allowed per period',
      },
      { name: 'period', label: 'Period (seconds)', type: 'number', value: rule.period },
      {
        name: 'algorithm',
        label: 'Algorithm',
        type: 'select',
        options: algorithms.map((a) => ({ value: a, label: a })),
        value: rule.algorithm ?? algorithms[0],
      },
      {
        name: 'burst',
        label: 'Burst',
        type: 'number',
        value: rule.burst,
        hint: 'GCRA only: requests allowed at once; empty: the limit',
        shownWhen: (values) => values.algorithm === 'gcra',
      },
      {
        name: 'mode',
        label: 'Mode',
        type: 'select',
        options: modes.map((m) => ({
          value: m,
          label: m === 'shadow' ? 'shadow (count, never refuse)' : m,
        })),
        value: rule.mode ?? modes[0],
      },
    ];
  }

  /** The form's values as the API takes them. @param {Record<string, any>} values */
  apiBody(values) {
    const tierId = values.tierId === undefined ? undefined : Number(values.tierId);
    return { ...values, tierId };
  }

  create() {
    openFormDialog({
      title: 'New rule',
      submitLabel: 'Create rule',
      fields: this.fields(),
      submit: (values) =>
        this.context.api.call('POST', '/rate-limits', { body: this.apiBody(values) }),
      explain: (result) => explainConflict(result),
      done: (result) => this.changed(`Rule ${quoted(result.body.name)} created.`),
    });
  }

  /** @param {any} rule */
  edit(rule) {
    openFormDialog({
      title: `Edit rule ${rule.name}`,
      submitLabel: 'Save rule',
      fields: this.fields(rule),
      submit: (values) => {
        const body = this.apiBody(values);
        for (const name of REQUIRED) body[name] ??= '';
        // Leaving gcra clears the burst, which only gcra takes; an emptied burst is the limit.
        body.burst = values.algorithm === 'gcra' ? (values.burst ?? null) : null;
        return this.context.api.call('PATCH', `/rate-limits/${encodeURIComponent(rule.name)}`, {
          body: changes(rule, body),
        });
      },
      explain: (result) => explainConflict(result),
      done: (result) => this.changed(`Rule ${quoted(result.body.name)} saved.`),
    });
  }

  /**
   * Deletes after asking; its button stays disabled until the API answered, so one click is one
   * DELETE.
   * @param {any} rule
   * @param {HTMLButtonElement} button
   */
  async remove(rule, button) {
    const sure = await confirmAction({
      title: `Delete rule ${rule.name}?`,
      message: `Requests of tier ${this.tierName(rule.tierId)} to ${rule.path} fall back to the route’s own limits.`,
      confirmLabel: 'Delete rule',
    });
    if (!sure) return;
    button.disabled = true;
    const result = await this.context.api.call(
      'DELETE',
      `/rate-limits/${encodeURIComponent(rule.name)}`,
    );
    button.disabled = false;
    if (result.ok) {
      await this.changed(`Rule ${quoted(rule.name)} deleted.`);
      return;
    }
    this.alert.hidden = false;
    replace(this.alert, describeFailure(result));
  }

  /** @param {string} message */
  async changed(message) {
    this.alert.hidden = true;
    this.context.announce(message);
    await this.load();
  }
}

/** A 409 in words: which rule is in the way. @param {import('./api.js').ApiResult} result */
function explainConflict(result) {
  if (result.status !== 409) return undefined;
  return `${result.body.message}. Choose another name, or another path or period, or edit that rule instead.`;
}
