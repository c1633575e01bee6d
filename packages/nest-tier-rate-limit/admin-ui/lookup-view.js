import { DataTable } from './data-table.js';
import { h, replace } from './dom.js';
import { bindForm } from './fields.js';
import { duration } from './format.js';
import { requestFields, requestQuery, routeSummary } from './request-form.js';
import { emptyState, errorState, loadingState } from './state-views.js';

/** Which policies apply to a path for a tier, and why, as the guard would decide them. */
export class LookupView {
  /** @param {import('./admin.js').Context} context */
  constructor(context) {
    this.context = context;
    this.form = h('form', {
      novalidate: true,
      class: 'inline-form',
      'aria-label': 'Policy lookup',
    });
    this.result = h('div', { 'aria-live': 'polite' });
    this.table = new DataTable({
      caption: 'Policies that apply',
      rowKey: (policy) => policy.keyPath + policy.period,
      columns: policyColumns(),
      empty: () => emptyState('No policy applies to this request.'),
    });
    this.element = h(
      'section',
      { 'aria-labelledby': 'lookup-title', class: 'view' },
      h('h2', { id: 'lookup-title' }, 'Policy lookup'),
      h('p', { class: 'intro' }, 'Which limits a request falls under, without counting it.'),
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
    bindForm(this.form, {
      fields: requestFields(this.context, tiers.items, this.last),
      submitLabel: 'Look up',
      submit: async (values) => {
        this.last = values;
        const result = await this.context.api.call('GET', '/rate-limit-policies', {
          query: requestQuery(values),
        });
        if (!result.ok) replace(this.result);
        return result;
      },
      done: (result) => {
        this.table.show(result.body.policies);
        replace(
          this.result,
          h('p', { class: 'summary' }, routeSummary(result.body)),
          this.table.element,
        );
      },
    });
  }
}

/** The columns of a policy, shared with the counters. */
export function policyColumns() {
  return [
    { key: 'name', label: 'Policy' },
    { key: 'source', label: 'Source' },
    { key: 'limit', label: 'Limit', numeric: true },
    { key: 'period', label: 'Period', numeric: true, render: (p) => duration(p.period) },
    { key: 'algorithm', label: 'Algorithm' },
    {
      key: 'burst',
      label: 'Burst',
      numeric: true,
      render: (p) => (p.algorithm === 'gcra' ? (p.burst ?? p.limit) : '—'),
    },
    { key: 'mode', label: 'Mode' },
    { key: 'keyPath', label: 'Counter path', render: (p) => h('code', {}, p.keyPath) },
  ];
}
