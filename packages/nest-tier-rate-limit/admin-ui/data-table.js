import { h, replace } from './dom.js';

/**
 * @typedef {object} Column
 * @property {string} key the row's property, also what the column sorts by
 * @property {string} label
 * @property {(row: any) => Node | string | number | null} [render] the cell; default: the value
 * @property {(row: any) => string | number} [sortValue] default: the value
 * @property {boolean} [numeric] right-aligned, sorted as numbers
 */

const PAGE_SIZES = [10, 25, 50, 100];

/**
 * A table sorted by any column (click its heading; again to reverse) and shown a page at a time.
 * Headings are buttons and carry `aria-sort`, so a keyboard or a screen reader can sort too.
 */
export class DataTable {
  /**
   * @param {{ caption: string, columns: Column[], rowKey: (row: any) => string, actions?: (row: any) => Node[], empty: () => Node }} options
   */
  constructor({ caption, columns, rowKey, actions, empty }) {
    this.caption = caption;
    this.columns = columns;
    this.rowKey = rowKey;
    this.actions = actions;
    this.empty = empty;
    /** @type {any[]} */
    this.rows = [];
    this.sortKey = columns[0].key;
    this.ascending = true;
    this.page = 1;
    this.pageSize = PAGE_SIZES[0];
    this.element = h('div', { class: 'data-table' });
  }

  /** Shows these rows, keeping the sort and, where it still exists, the page. @param {any[]} rows */
  show(rows) {
    this.rows = rows;
    this.render();
  }

  render() {
    if (this.rows.length === 0) {
      replace(this.element, this.empty());
      return;
    }
    const pages = Math.max(1, Math.ceil(this.rows.length / this.pageSize));
    this.page = Math.min(this.page, pages);
    const start = (this.page - 1) * this.pageSize;
    const visible = this.sorted().slice(start, start + this.pageSize);
    const table = h(
      'table',
      {},
      h('caption', {}, this.caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...this.columns.map((c) => this.heading(c)),
          this.actions &&
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
        ),
      ),
      h('tbody', {}, ...visible.map((row) => this.row(row))),
    );
    // Rebuilt controls lose focus: give it back to the one that had it (or its pager neighbour).
    const focused = this.element.contains(document.activeElement)
      ? document.activeElement?.getAttribute('data-focus')
      : null;
    replace(
      this.element,
      this.sortMenu(),
      h('div', { class: 'table-scroll' }, table),
      this.pager(pages, start, visible.length),
    );
    if (focused) {
      const again = this.element.querySelector(`[data-focus="${focused}"]:not(:disabled)`);
      const fallback = this.element.querySelector('.pager button:not(:disabled)');
      (again ?? fallback)?.focus();
    }
  }

  /** Sorts by a column and shows the first page. @param {string} key @param {boolean} ascending */
  sortBy(key, ascending) {
    this.sortKey = key;
    this.ascending = ascending;
    this.page = 1;
    this.render();
  }

  /** @param {Column} column */
  heading(column) {
    const active = column.key === this.sortKey;
    const sort = active ? (this.ascending ? 'ascending' : 'descending') : 'none';
    const button = h(
      'button',
      {
        type: 'button',
        class: 'sort',
        'data-focus': `sort-${column.key}`,
        onclick: () => this.sortBy(column.key, active ? !this.ascending : true),
      },
      column.label,
      h(
        'span',
        { class: 'sort-mark', 'aria-hidden': 'true' },
        active ? (this.ascending ? '▲' : '▼') : '',
      ),
    );
    return h(
      'th',
      {
        scope: 'col',
        'aria-sort': sort,
        'data-key': column.key,
        class: column.numeric ? 'numeric' : null,
      },
      button,
    );
  }

  /** The sort as a menu, for phones, where the headings are hidden. */
  sortMenu() {
    const options = this.columns.flatMap((column) =>
      [true, false].map((ascending) => {
        const value = `${column.key}:${ascending ? 'asc' : 'desc'}`;
        const selected = column.key === this.sortKey && ascending === this.ascending;
        return h('option', { value, selected }, `${column.label} ${ascending ? '↑' : '↓'}`);
      }),
    );
    const select = h(
      'select',
      {
        'data-focus': 'sort-menu',
        onchange: (event) => {
          const [key, order] = event.target.value.split(':');
          this.sortBy(key, order === 'asc');
        },
      },
      ...options,
    );
    return h('label', { class: 'sort-by' }, `Sort ${this.caption.toLowerCase()} by`, select);
  }

  /** @param {any} row */
  row(row) {
    const cells = this.columns.map((column) => {
      const content = column.render ? column.render(row) : row[column.key];
      return h(
        'td',
        { class: column.numeric ? 'numeric' : null, 'data-label': column.label },
        content ?? '',
      );
    });
    const actions = this.actions ? [h('td', { class: 'actions' }, ...this.actions(row))] : [];
    return h('tr', { 'data-row': this.rowKey(row) }, ...cells, ...actions);
  }

  sorted() {
    const column = this.columns.find((c) => c.key === this.sortKey) ?? this.columns[0];
    const value = column.sortValue ?? ((row) => row[column.key]);
    const direction = this.ascending ? 1 : -1;
    return [...this.rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const order =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x ?? '').localeCompare(String(y ?? ''), undefined, { numeric: true });
      return order * direction;
    });
  }

  /**
   * The page's position, in one element kept across renders, so that screen readers announce
   * each change.
   * @param {string} text
   */
  pageInfo(text) {
    this.info ??= h('span', { class: 'page-info', 'aria-live': 'polite' });
    if (this.info.textContent !== text) this.info.textContent = text;
    return this.info;
  }

  /** @param {number} pages @param {number} start @param {number} shown */
  pager(pages, start, shown) {
    const go = (page) => () => {
      this.page = page;
      this.render();
    };
    const size = h(
      'select',
      {
        'data-focus': 'page-size',
        onchange: (event) => {
          this.pageSize = Number(event.target.value);
          this.page = 1;
          this.render();
        },
      },
      ...PAGE_SIZES.map((n) => h('option', { value: n, selected: n === this.pageSize }, String(n))),
    );
    const label = h('label', {}, 'Rows per page ', size);
    return h(
      'nav',
      { class: 'pager', 'aria-label': `${this.caption} pages` },
      h(
        'button',
        {
          type: 'button',
          'data-focus': 'previous',
          disabled: this.page === 1,
          onclick: go(this.page - 1),
        },
        'Previous',
      ),
      this.pageInfo(
        `Page ${this.page} of ${pages} · ${start + 1}–${start + shown} of ${this.rows.length}`,
      ),
      h(
        'button',
        {
          type: 'button',
          'data-focus': 'next',
          disabled: this.page === pages,
          onclick: go(this.page + 1),
        },
        'Next',
      ),
      label,
    );
  }
}
