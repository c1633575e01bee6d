import { describeFailure } from './api.js';
import { DataTable } from './data-table.js';
import { confirmAction } from './dialogs.js';
import { h, replace } from './dom.js';
import { bindForm } from './fields.js';
import { policyColumns } from './lookup-view.js';
import { requestFields, requestQuery, routeSummary } from './request-form.js';
import { emptyState, errorState, loadingState } from './state-views.js';

/** A caller's live counters for the policies of one request, and their reset. */
export class CountersView {
  /** @param {import('./admin.js').Context} context */
  constructor(context) {
    this.context = context;
    /** @type {Record<string, any> | undefined} */
    this.asked = undefined;
    this.form = h('form', {
      novalidate: true,
      class: 'inline-form',
      'aria-label': 'Counters of a caller',
    });
    this.result = h('div', { 'aria-live': 'polite' });
    this.table = new DataTable({
      caption: 'Live counters',
      rowKey: (counter) => counter.key,
      columns: [
        ...policyColumns().filter((column) =>
          ['name', 'limit', 'period', 'algorithm'].includes(column.key),
        ),
        { key: 'count', label: 'Used', numeric: true, render: (c) => c.count ?? 'unknown' },
        {
          key: 'remaining',
          label: 'Remaining',
          numeric: true,
          render: (c) => c.remaining ?? 'unknown',
        },
        {
          key: 'resetSeconds',
          label: 'Resets in',
          numeric: true,
          render: (c) => (c.resetSeconds === null ? (c.readError ?? '—') : `${c.resetSeconds} s`),
        },
        { key: 'key', label: 'Key', render: (c) => h('code', {}, c.key) },
      ],
      empty: () => emptyState('No policy applies to this request, so nothing is counted.'),
    });
    this.element = h(
      'section',
      { 'aria-labelledby': 'counters-title', class: 'view' },
      h('h2', { id: 'counters-title' }, 'Counters'),
      h(
        'p',
        { class: 'intro' },
        'What a caller has used of each limit on a request, read without counting it.',
      ),
      this.form,
      this.result,
    );
  }

  async load() {
    replace(this.form, loadingState());
    const tiers = await this.context.api.all('/tiers');
    if (!tiers.ok) {
      replace(
        this.form,
        errorState(tiers.result, () => this.load()),
      );
      return;
    }
    this.form.replaceChildren();
    const caller = {
      name: 'caller',
      label: 'Caller',
      value: this.asked?.caller,
      hint: 'user:<id> for a signed-in caller, ip:<address> for an anonymous one',
    };
    bindForm(this.form, {
      fields: [caller, ...requestFields(this.context, tiers.items, this.asked)],
      submitLabel: 'Read counters',
      submit: async (values) => {
        const result = await this.read(values);
        if (!result.ok) replace(this.result);
        return result;
      },
      done: (result) => this.show(result),
    });
  }

  /** @param {Record<string, any>} values */
  read(values) {
    this.asked = values;
    return this.context.api.call('GET', '/rate-limit-counters', { query: requestQuery(values) });
  }

  /** @param {import('./api.js').ApiResult} result */
  show(result) {
    this.table.show(result.body.policies);
    const refresh = h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => this.refresh() },
      'Refresh',
    );
    const reset = h(
      'button',
      {
        type: 'button',
        class: 'danger',
        disabled: result.body.policies.length === 0,
        onclick: () => this.reset(),
      },
      'Reset counters',
    );
    replace(
      this.result,
      h('p', { class: 'summary' }, `${result.body.caller} · ${routeSummary(result.body)}`),
      this.table.element,
      h('div', { class: 'buttons' }, refresh, reset),
    );
  }

  async refresh() {
    const result = await this.read(this.asked);
    if (result.ok) this.show(result);
    else
      replace(
        this.result,
        errorState(result, () => this.refresh()),
      );
  }

  async reset() {
    const asked = this.asked;
    const sure = await confirmAction({
      title: `Reset the counters of ${asked.caller}?`,
      message: `Each of its limits on ${asked.method} ${asked.path} starts afresh with its next request.`,
      confirmLabel: 'Reset counters',
    });
    if (!sure) return;
    const result = await this.context.api.call('DELETE', '/rate-limit-counters', {
      query: requestQuery(asked),
    });
    if (!result.ok) {
      replace(
        this.result,
        h('div', { class: 'view-alert', role: 'alert' }, describeFailure(result)),
      );
      return;
    }
    const count = result.body.reset.length;
    this.context.announce(`Reset ${count} counter${count === 1 ? '' : 's'} of ${asked.caller}.`);
    await this.refresh();
  }
}
