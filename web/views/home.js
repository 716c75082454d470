// The home view: "Needs you" first (newest first), then every campaign at a glance.
import { loadNeeds } from '../load.js';
import { count, counted, h, replace, stateWords, usd } from '../dom.js';
import { needCard } from './needs.js';
import { store } from '../page.js';
import { describe } from '../api.js';
import { DOMAIN_STATES } from '../domain.js';

/** @typedef {import('../store.js').Ctx} Ctx */
/** @typedef {import('../types').Campaign} Campaign */

/** A campaign's negotiations by state, as one stacked bar with a legend. @param {Campaign} c */
export function stateBar(c) {
  const total = c.negotiations || 1;
  const parts = DOMAIN_STATES.map(
    (s) =>
      /** @type {[string, number]} */ ([s, c.countsByState[/** @type {keyof Campaign['countsByState']} */ (s)] ?? 0]),
  ).filter(([, n]) => n > 0);
  return h(
    'div',
    { class: 'state-bar-wrap' },
    h(
      'div',
      {
        class: 'state-bar',
        role: 'img',
        'aria-label': parts.map(([s, n]) => `${stateWords(s)} ${n}`).join(', ') || 'no negotiations',
      },
      parts.map(([s, n]) => {
        const seg = h('span', { class: `seg state-${s}` });
        seg.style.width = `${(n / total) * 100}%`;
        return seg;
      }),
    ),
    h(
      'ul',
      { class: 'legend' },
      parts.map(([s, n]) =>
        h(
          'li',
          {},
          h('span', { class: `dot state-${s}` }),
          `${stateWords(s)} `,
          h('b', { dataset: { state: s } }, String(n)),
        ),
      ),
    ),
  );
}

/** @param {Campaign} c */
export function campaignCard(c) {
  return h(
    'article',
    { class: 'card campaign-card', dataset: { campaignId: c.id, status: c.status } },
    h(
      'h3',
      {},
      h('a', { href: `#campaign=${encodeURIComponent(c.id)}` }, c.client),
      c.status !== 'active' ? h('span', { class: `tag status-${c.status}` }, c.status) : null,
    ),
    h('p', { class: 'muted small' }, `${c.id} · ${c.platform} · ${counted(c.negotiations, 'influencer')}`),
    stateBar(c),
    h(
      'dl',
      { class: 'stats' },
      h('div', {}, h('dt', {}, 'Deals'), h('dd', { dataset: { field: 'deals' } }, String(c.dealsAgreed))),
      h(
        'div',
        {},
        h('dt', {}, 'CPM'),
        h(
          'dd',
          { dataset: { field: 'cpm' } },
          usd(c.averageAgreedCpm),
          h('span', { class: 'muted small' }, ` target ${usd(c.floorCpm)}`),
        ),
      ),
      h(
        'div',
        {},
        h('dt', {}, 'Committed'),
        h(
          'dd',
          { dataset: { field: 'budget' } },
          usd(c.budgetCommitted),
          h('span', { class: 'muted small' }, c.budget ? ` of ${usd(c.budget)}` : ' (no budget)'),
        ),
      ),
    ),
  );
}

/** @param {HTMLElement} main */
export function mountHome(main) {
  const needs = h('div', { id: 'needs-list', class: 'needs-list', 'aria-live': 'polite' });
  const more = h('div', { class: 'more' });
  const campaigns = h('div', { id: 'campaigns', class: 'cards' });
  replace(
    main,
    h(
      'section',
      { id: 'needs', 'aria-labelledby': 'needs-title' },
      h('h2', { id: 'needs-title' }, 'Needs you'),
      needs,
      more,
    ),
    h(
      'section',
      { id: 'overview', 'aria-labelledby': 'overview-title' },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'overview-title' }, 'Campaigns'),
        h('a', { href: '#view=new', class: 'button-link primary' }, 'New campaign'),
      ),
      campaigns,
    ),
  );
  return {
    /** @param {Ctx} c @param {Ctx | null} p */
    update(c, p) {
      if (!p || c.needs !== p.needs || c.busy !== p.busy || c.problems !== p.problems || c.drafts !== p.drafts) {
        if (!c.needs) replace(needs, h('p', { class: 'muted' }, 'Loading…'));
        else if (!c.needs.items.length)
          replace(
            needs,
            h(
              'p',
              { class: 'all-clear' },
              'Nothing needs you right now. Escalations, replies on threads you hold and parked negotiations show up here.',
            ),
          );
        else
          replace(
            needs,
            c.needs.items.map((item) => needCard(c, item)),
          );
        const counts = c.needs?.counts;
        replace(
          more,
          counts && counts.total > 0
            ? h(
                'p',
                { class: 'muted small' },
                `${counted(counts.escalation, 'decision')}, ${counted(counts.reply, 'reply', 'replies')} on threads you hold, ${count(counts.parked)} parked`,
              )
            : null,
          c.needs?.nextCursor
            ? h(
                'button',
                {
                  type: 'button',
                  onclick: () => loadNeeds(true).catch((e) => store.trigger.failed({ message: describe(e) })),
                },
                'Show more',
              )
            : null,
        );
      }
      if (!p || c.campaigns !== p.campaigns) {
        if (!c.campaigns) replace(campaigns, h('p', { class: 'muted' }, 'Loading…'));
        else if (!c.campaigns.length)
          replace(
            campaigns,
            h(
              'div',
              { class: 'empty-state' },
              h('p', {}, 'No campaigns yet.'),
              h('a', { href: '#view=new', class: 'button-link primary' }, 'Create your first campaign'),
            ),
          );
        else replace(campaigns, [...c.campaigns].reverse().map(campaignCard));
      }
    },
  };
}
