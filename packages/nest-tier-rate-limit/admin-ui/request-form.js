/**
 * The fields that describe a request, shared by the policy lookup and the counters: its path,
 * method and the caller's tier.
 * @param {import('./admin.js').Context} context
 * @param {any[]} tiers
 * @param {Record<string, any>} [last] the values asked before
 * @returns {import('./fields.js').Field[]}
 */
export function requestFields(context, tiers, last = {}) {
  return [
    {
      name: 'path',
      label: 'Request path',
      value: last.path ?? `${context.settings.apiBase}/widgets`,
      hint: 'As a client sends it: /api/v1/widgets/42',
    },
    {
      name: 'method',
      label: 'Method',
      type: 'select',
      options: context.settings.methods.map((m) => ({ value: m, label: m })),
      value: last.method ?? 'GET',
    },
    {
      name: 'tierId',
      label: 'Caller’s tier',
      type: 'select',
      options: [
        { value: '', label: 'None (anonymous)' },
        ...tiers.map((tier) => ({ value: String(tier.id), label: tier.name })),
      ],
      value: last.tierId === undefined ? '' : String(last.tierId),
    },
  ];
}

/** The request's values as the API's query takes them. @param {Record<string, any>} values */
export function requestQuery(values) {
  return { ...values, tierId: values.tierId === undefined ? undefined : Number(values.tierId) };
}

/**
 * What the guard does with that request, in a sentence.
 * @param {{ method: string, path: string, route: { method: string, template: string } | null, limited: boolean, reason: string | null }} answer
 */
export function routeSummary(answer) {
  const route =
    answer.route === null
      ? 'no Nest route'
      : `route ${answer.route.method} ${answer.route.template}`;
  const outcome = answer.limited ? 'rate limited' : `not rate limited (${answer.reason})`;
  return `${answer.method} ${answer.path}: ${route}, ${outcome}.`;
}
