// The "Needs you" cards: why a person is needed, their ask against our offer and the bounds, what they last wrote,
// and the actions right there (approve at the suggested or another amount, walk away, take over, hand back, unpark).
import { approve, negotiationAction } from '../actions.js';
import { boundsRuler } from '../charts.js';
import { ago, count, h, usd, withAmounts } from '../dom.js';
import { store } from '../page.js';

/** @typedef {import('../store.js').Ctx} Ctx */
/** @typedef {import('../types').NeedItem} NeedItem */

const KIND = { escalation: 'Needs a decision', reply: 'New reply (you hold this thread)', parked: 'Parked' };

/** @param {string} text @param {string} action @param {() => void} onclick @param {{ danger?: boolean, primary?: boolean, disabled?: boolean, label?: string }} [o] */
export function actionButton(text, action, onclick, o = {}) {
  return h(
    'button',
    {
      type: 'button',
      class: o.danger ? 'danger' : o.primary ? 'primary' : null,
      dataset: { action },
      disabled: Boolean(o.disabled),
      'aria-label': o.label ?? null,
      onclick,
    },
    text,
  );
}

/**
 * The approval controls of an escalation: one click at the suggested amount, or another amount typed. A refusal
 * (above their latest ask, below our last offer, escalated again since) is shown right under them.
 * @param {Ctx} c @param {import('../types').Summary} n @param {import('../types').EscalationView | null} e @param {string} where
 */
export function approveControls(c, n, e, where) {
  const busy = Boolean(c.busy);
  const key = `approve:${n.id}`;
  const suggested = e?.suggested ?? null;
  const inputId = `approve-rate-${n.id}`;
  const input = h('input', {
    id: inputId,
    type: 'text',
    inputmode: 'decimal',
    autocomplete: 'off',
    class: 'amount-input',
    value: c.drafts[key] ?? suggested ?? '',
    'aria-describedby': `${where}-problem`,
    oninput: (/** @type {Event} */ ev) =>
      store.trigger.drafted({ key, value: /** @type {HTMLInputElement} */ (ev.target).value }),
  });
  const number = e?.number ?? null;
  return h(
    'div',
    { class: 'approve-controls' },
    suggested
      ? actionButton(`Approve ${usd(suggested)}`, 'approve-suggested', () => approve(n.id, suggested, number, where), {
          primary: true,
          disabled: busy,
          label: `Approve ${usd(suggested)}, the suggested amount, for ${n.influencer.name}`,
        })
      : null,
    h(
      'form',
      {
        class: 'approve',
        onsubmit: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          approve(n.id, input.value, number, where);
        },
      },
      h('label', { for: inputId }, suggested ? 'or another amount $' : 'Approve at $'),
      input,
      h('button', { type: 'submit', dataset: { action: 'approve' }, disabled: busy }, 'Approve'),
    ),
  );
}

/** @param {Ctx} c @param {string} where */
export function problemLine(c, where) {
  const text = c.problems[where];
  return h('p', { id: `${where}-problem`, class: text ? 'problem' : 'problem empty', role: 'alert' }, text ?? '');
}

/** @param {Ctx} c @param {NeedItem} item */
export function needCard(c, item) {
  const n = item.negotiation;
  const where = `need:${n.id}`;
  const busy = Boolean(c.busy);
  const ask = item.escalation?.ask ?? n.theirLastAsk;
  const b = item.bounds;
  /** @type {(Node | null)[]} */
  const actions = [];
  if (item.kind === 'escalation') {
    actions.push(
      approveControls(c, n, item.escalation, where),
      actionButton(
        'Walk away',
        'walk-away',
        () => {
          if (confirm(`Walk away from ${n.influencer.name}? A polite exit email is sent.`))
            negotiationAction(n.id, 'walk-away', where);
        },
        { danger: true, disabled: busy, label: `Walk away from ${n.influencer.name}` },
      ),
    );
    if (!n.humanControlled)
      actions.push(
        actionButton('Take over', 'claim', () => negotiationAction(n.id, 'claim', where), {
          disabled: busy,
          label: `Take over the thread with ${n.influencer.name}`,
        }),
      );
  } else if (item.kind === 'reply') {
    actions.push(
      actionButton('Hand back to the agent', 'release', () => negotiationAction(n.id, 'release', where), {
        disabled: busy,
        label: `Hand back to the agent: the thread with ${n.influencer.name}`,
      }),
    );
  } else {
    actions.push(
      actionButton('Unpark', 'unpark', () => negotiationAction(n.id, 'unpark', where), {
        primary: true,
        disabled: busy,
        label: `Unpark the negotiation with ${n.influencer.name}`,
      }),
    );
  }
  actions.push(
    h(
      'a',
      { href: `#n=${encodeURIComponent(n.id)}`, class: 'button-link', dataset: { action: 'open' } },
      'Open conversation',
    ),
  );
  return h(
    'article',
    { class: `need-card kind-${item.kind}`, dataset: { negotiationId: n.id, kind: item.kind } },
    h(
      'header',
      {},
      h('span', { class: `kind-tag kind-${item.kind}` }, KIND[item.kind]),
      h('h3', {}, h('a', { href: `#n=${encodeURIComponent(n.id)}` }, n.influencer.name)),
      h(
        'p',
        { class: 'muted small' },
        [
          item.client ?? n.campaignId,
          n.influencer.platform,
          `${count(n.influencer.averageViews)} views`,
          ago(item.since),
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    ),
    h('p', { class: 'reason' }, withAmounts(item.reason)),
    h(
      'dl',
      { class: 'money-line' },
      h('div', {}, h('dt', {}, 'Their ask'), h('dd', { dataset: { field: 'ask' } }, usd(ask))),
      h('div', {}, h('dt', {}, 'Our offer'), h('dd', { dataset: { field: 'offer' } }, usd(n.lastOfferedRate))),
      b ? h('div', {}, h('dt', {}, 'Campaign range'), h('dd', {}, `${usd(b.floor)} – ${usd(b.ceiling)}`)) : null,
      b?.maxWithoutApproval
        ? h('div', {}, h('dt', {}, 'Max without approval'), h('dd', {}, usd(b.maxWithoutApproval)))
        : null,
    ),
    item.kind === 'parked'
      ? null
      : boundsRuler({ offer: n.lastOfferedRate, ask, suggested: item.escalation?.suggested, bounds: b }),
    item.latestReply?.text
      ? h(
          'blockquote',
          { class: 'their-words' },
          h('span', { class: 'muted small' }, `They wrote ${ago(item.latestReply.at)}:`),
          h('span', { class: 'quote-text' }, withAmounts(item.latestReply.text.slice(0, 600))),
        )
      : null,
    h('div', { class: 'actions' }, actions),
    problemLine(c, where),
  );
}
