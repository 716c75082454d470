// The negotiation list: filtered and paged by the server (keyset pages of 50, newest first), a table on a wide
// screen and one card per negotiation on a phone (the same rows, laid out by the style sheet).
import { describe } from '../api.js';
import { DOMAIN_STATES } from '../domain.js';
import { stopAgency } from '../actions.js';
import { badge, count, h, replace, stateWords, usd, when } from '../dom.js';
import { loadList, PAGE_SIZE } from '../load.js';
import { store } from '../page.js';
import { go } from '../router.js';

/** @typedef {import('../store.js').Ctx} Ctx */

/** @param {Promise<unknown>} p */
const report = (p) => p.catch((e) => store.trigger.failed({ message: describe(e) }));

/** @param {import('../types').Summary} n */
function row(n) {
  const open = () => go({ view: 'negotiation', id: n.id });
  return h(
    'tr',
    { dataset: { negotiationId: n.id, state: n.state } },
    h(
      'th',
      { scope: 'row', 'data-label': 'Influencer' },
      h(
        'a',
        {
          href: `#n=${encodeURIComponent(n.id)}`,
          onclick: (/** @type {Event} */ e) => {
            e.preventDefault();
            open();
          },
        },
        n.influencer.name,
      ),
      h('span', { class: 'muted small block' }, n.influencer.email),
    ),
    h('td', { 'data-label': 'Campaign' }, n.campaignId),
    h(
      'td',
      { 'data-label': 'State' },
      badge(n.state),
      n.humanControlled ? h('span', { class: 'tag' }, 'person') : null,
      n.parked ? h('span', { class: 'tag bad', title: n.parked.reason }, 'parked') : null,
    ),
    h('td', { class: 'num', 'data-label': 'Our offer' }, usd(n.lastOfferedRate)),
    h('td', { class: 'num', 'data-label': 'Their ask' }, usd(n.theirLastAsk)),
    h('td', { class: 'num', 'data-label': 'Agreed' }, usd(n.agreedRate)),
    h('td', { class: 'small', 'data-label': 'Updated' }, when(n.updatedAt)),
  );
}

/**
 * The table and its pager, for the route's filter. `filters`: show the campaign filter and the agency stop.
 * @param {{ campaignFilter: boolean }} options
 */
export function mountList(options) {
  const toolbar = h('form', { class: 'toolbar', onsubmit: (/** @type {Event} */ e) => e.preventDefault() });
  const body = h('tbody');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const el = h(
    'div',
    { class: 'list' },
    toolbar,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'negotiations', class: 'negotiations' },
        h('caption', { class: 'sr-only' }, 'Negotiations, newest first'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Influencer', 'Campaign', 'State', 'Our offer', 'Their ask', 'Agreed', 'Updated'].map((t, i) =>
              h('th', { scope: 'col', class: i >= 3 && i <= 5 ? 'num' : null }, t),
            ),
          ),
        ),
        body,
      ),
    ),
    pager,
  );
  let toolbarFor = '';
  return {
    el,
    /** @param {Ctx} c @param {Ctx | null} p */
    update(c, p) {
      const r = c.route;
      const key = `${r.campaign}|${r.state}|${(c.campaigns ?? []).length}`;
      if (key !== toolbarFor) {
        toolbarFor = key;
        const stateSelect = h(
          'select',
          {
            id: 'filter-state',
            onchange: (/** @type {Event} */ e) =>
              go({ ...r, state: /** @type {HTMLSelectElement} */ (e.target).value }),
          },
          h('option', { value: '' }, 'All states'),
          DOMAIN_STATES.map((s) => h('option', { value: s }, stateWords(s))),
        );
        stateSelect.value = r.state;
        /** @type {HTMLElement[]} */
        const parts = [h('label', { for: 'filter-state' }, 'State'), stateSelect];
        if (options.campaignFilter) {
          const campaignSelect = h(
            'select',
            {
              id: 'filter-campaign',
              onchange: (/** @type {Event} */ e) =>
                go({ ...r, campaign: /** @type {HTMLSelectElement} */ (e.target).value }),
            },
            h('option', { value: '' }, 'All campaigns'),
            (c.campaigns ?? []).map((x) => h('option', { value: x.id }, `${x.client} (${x.id})`)),
          );
          campaignSelect.value = r.campaign;
          parts.unshift(h('label', { for: 'filter-campaign' }, 'Campaign'), campaignSelect);
          const agency = h('input', {
            id: 'agency-name',
            type: 'text',
            maxlength: '200',
            autocomplete: 'off',
            placeholder: 'Talent Co',
          });
          parts.push(
            h('span', { class: 'spacer' }),
            h('label', { for: 'agency-name' }, 'Agency'),
            agency,
            h(
              'button',
              {
                type: 'button',
                id: 'agency-stop',
                class: 'danger',
                onclick: () => {
                  const name = agency.value.trim();
                  if (name && confirm(`Stop every open negotiation with agency ${name}?`)) stopAgency(name);
                },
              },
              'Stop all of this agency',
            ),
          );
        }
        replace(toolbar, parts);
      }
      if (p && c.list === p.list) return;
      const list = c.list?.key === `${r.campaign}|${r.state}` ? c.list : null;
      if (!list) {
        replace(body, h('tr', {}, h('td', { colspan: '7', class: 'muted' }, 'Loading…')));
        replace(pager);
        return;
      }
      replace(
        body,
        list.items.length
          ? list.items.map(row)
          : h('tr', {}, h('td', { colspan: '7', class: 'muted' }, 'No negotiations match.')),
      );
      const first = list.cursors.length * PAGE_SIZE + (list.items.length ? 1 : 0);
      const last = list.cursors.length * PAGE_SIZE + list.items.length;
      replace(
        pager,
        h(
          'span',
          { id: 'list-range' },
          list.total === null ? `${first}–${last}` : `${count(first)}–${count(last)} of ${count(list.total)}`,
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'page-prev',
            disabled: list.cursors.length === 0,
            onclick: () => report(loadList(list.cursors.at(-1) ?? null, list.cursors.slice(0, -1))),
          },
          '‹ Newer',
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'page-next',
            disabled: !list.next,
            onclick: () => report(loadList(list.next, [...list.cursors, list.cursor])),
          },
          'Older ›',
        ),
      );
    },
  };
}

/** The list view: every negotiation, filtered by campaign and state. @param {HTMLElement} main */
export function mountListView(main) {
  const list = mountList({ campaignFilter: true });
  replace(
    main,
    h('section', { 'aria-labelledby': 'list-title' }, h('h2', { id: 'list-title' }, 'All negotiations'), list.el),
  );
  return { update: list.update };
}
