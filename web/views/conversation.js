// One negotiation, as the conversation it is: what needs deciding first, then the emails in order, with the
// money on the side (their ask vs our offer vs the bounds, and the offer/ask track). The machine's internals are
// behind "Details".
import { negotiationAction, stopAgency } from '../actions.js';
import { boundsRuler, trackChart } from '../charts.js';
import { badge, count, h, replace, usd, withAmounts } from '../dom.js';
import { diagram } from './diagram.js';
import { actionButton, approveControls, problemLine } from './needs.js';
import { clockControls, influencerComposer } from './sandbox.js';
import { amountTrack, conversation, fold, transitions } from './thread.js';

/** @typedef {import('../store.js').Ctx} Ctx */
/** @typedef {import('../types').Detail} Detail */

const TERMINAL = new Set(['agreed', 'rejected', 'stopped']);

/** @param {Ctx} c @param {Detail} n */
function decision(c, n) {
  const where = `detail:${n.id}`;
  const busy = Boolean(c.busy);
  if (n.parked)
    return h(
      'section',
      { class: 'decision bad', 'aria-label': 'Parked' },
      h('h3', {}, 'Parked after failures'),
      h('p', {}, n.parked.reason),
      actionButton('Unpark', 'unpark', () => negotiationAction(n.id, 'unpark', where), {
        primary: true,
        disabled: busy,
      }),
      problemLine(c, where),
    );
  if (n.state === 'escalated' && n.escalation) {
    const e = n.escalation;
    return h(
      'section',
      { class: 'decision warn', 'aria-labelledby': 'decision-title' },
      h('h3', { id: 'decision-title' }, `Needs your decision${e.number ? ` (escalation #${e.number})` : ''}`),
      h('p', { class: 'reason' }, withAmounts(e.reason)),
      e.evidence ? h('blockquote', {}, e.evidence) : null,
      boundsRuler({ offer: n.lastOfferedRate, ask: e.ask ?? n.theirLastAsk, suggested: e.suggested, bounds: n.bounds }),
      approveControls(c, n, e, where),
      h(
        'div',
        { class: 'actions' },
        actionButton(
          'Walk away',
          'walk-away',
          () => {
            if (confirm(`Walk away from ${n.influencer.name}? A polite exit email is sent.`))
              negotiationAction(n.id, 'walk-away', where);
          },
          { danger: true, disabled: busy },
        ),
        n.humanControlled
          ? null
          : actionButton('Take over', 'claim', () => negotiationAction(n.id, 'claim', where), { disabled: busy }),
      ),
      e.draft ? fold(`draft:${n.id}`, 'The draft that failed validation', h('pre', {}, e.draft)) : null,
      problemLine(c, where),
    );
  }
  if (n.humanControlled)
    return h(
      'section',
      { class: 'decision person' },
      h('h3', { id: 'detail-human' }, 'A person holds this thread'),
      h('p', {}, 'Their replies are recorded and relayed to Slack; the agent does not answer.'),
      actionButton('Hand back to the agent', 'release', () => negotiationAction(n.id, 'release', where), {
        disabled: busy,
      }),
      problemLine(c, where),
    );
  return problemLine(c, where);
}

/** @param {Ctx} c @param {Detail} n */
function controls(c, n) {
  const busy = Boolean(c.busy);
  const where = `detail:${n.id}`;
  const done = TERMINAL.has(n.state);
  const act = (/** @type {string} */ a) => () => negotiationAction(n.id, a, where);
  return h(
    'div',
    { class: 'actions controls' },
    n.state === 'paused'
      ? actionButton('Resume', 'resume', act('resume'), { disabled: busy })
      : actionButton('Pause', 'pause', act('pause'), { disabled: busy || done }),
    n.humanControlled
      ? actionButton('Hand back', 'release', act('release'), { disabled: busy })
      : actionButton('Take over', 'claim', act('claim'), { disabled: busy || done }),
    actionButton(
      'Stop',
      'stop',
      () => {
        if (confirm(`Stop the negotiation with ${n.influencer.name} for good?`)) negotiationAction(n.id, 'stop', where);
      },
      { danger: true, disabled: busy || done },
    ),
    n.counterparty?.agency
      ? actionButton(
          `Stop agency ${n.counterparty.agency}`,
          'stop-agency',
          () => {
            const agency = n.counterparty?.agency;
            if (agency && confirm(`Stop every open negotiation with agency ${agency}?`)) stopAgency(agency);
          },
          { danger: true, disabled: busy },
        )
      : null,
  );
}

/** @param {Detail} n */
function summary(n) {
  const b = n.bounds;
  /** @param {string} term @param {import('../dom.js').Child} value @param {string} [field] */
  const item = (term, value, field) =>
    h('div', {}, h('dt', {}, term), h('dd', { dataset: field ? { field } : {} }, value));
  return h(
    'dl',
    { class: 'facts' },
    item('Our offer', usd(n.lastOfferedRate), 'offer'),
    item('Their ask', usd(n.theirLastAsk), 'ask'),
    item('Agreed', n.agreedRate ? `${usd(n.agreedRate)} (CPM ${usd(n.agreedCpm)})` : '—', 'agreed'),
    b
      ? item('Campaign range', `${usd(b.floor)} – ${usd(b.ceiling)} (CPM ${usd(b.floorCpm)}–${usd(b.ceilingCpm)})`)
      : null,
    b?.maxWithoutApproval ? item('Max without approval', usd(b.maxWithoutApproval)) : null,
    item('Counters sent', String(n.round)),
  );
}

/** @param {HTMLElement} main @param {string} id */
export function mountConversation(main, id) {
  const head = h('div', { class: 'conv-head' });
  const decide = h('div', { id: 'decision' });
  const thread = h('div', { id: 'thread' });
  const side = h('div', { class: 'conv-money' });
  const actions = h('div', { id: 'detail-actions' });
  const sandbox = h('div', { class: 'conv-sandbox' });
  const details = h('div', { class: 'conv-details' });
  replace(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#', id: 'back-link' }, '← Needs you & campaigns')),
    h(
      'article',
      { id: 'detail', class: 'conversation', 'aria-labelledby': 'detail-title' },
      head,
      h(
        'div',
        { class: 'conv-grid' },
        h('div', { class: 'conv-main' }, decide, h('h3', {}, 'Conversation'), thread),
        h('aside', { class: 'conv-side', 'aria-label': 'Money and actions' }, side, actions, sandbox),
      ),
      details,
    ),
  );
  let sandboxFor = '';
  return {
    /** @param {Ctx} c @param {Ctx | null} p */
    update(c, p) {
      const n = c.detail?.id === id ? c.detail : null;
      if (!n) {
        replace(head, h('h2', { id: 'detail-title' }, 'Loading…'));
        return;
      }
      const changed = !p || n !== p.detail;
      if (changed) {
        replace(
          head,
          h('h2', { id: 'detail-title' }, n.influencer.name),
          h(
            'p',
            { class: 'state-line' },
            h('span', { id: 'detail-state', dataset: { field: 'state', state: n.state } }, badge(n.state)),
            ' ',
            h('a', { href: `#campaign=${encodeURIComponent(n.campaignId)}` }, n.client ?? n.campaignId),
            ` · ${n.influencer.email} · ${n.influencer.platform} · ${count(n.influencer.averageViews)} average views`,
          ),
        );
        replace(thread, conversation(n));
        replace(side, h('h3', {}, 'Money'), summary(n), trackChart(amountTrack(n), n.bounds));
        replace(
          details,
          fold(
            `details:${n.id}`,
            'Details: how the agent sees it (state machine, transitions, contacts)',
            h('h4', {}, 'State machine'),
            diagram(c.machine, n.state),
            h('h4', {}, 'Transitions'),
            transitions(n),
            h('h4', {}, 'Contacts'),
            h(
              'ul',
              {},
              n.contacts.map((x) =>
                h(
                  'li',
                  {},
                  `${x.name ?? '—'} <${x.email}> · ${x.type.replaceAll('_', ' ')}${x.isPrimary ? ' (primary)' : ''}`,
                ),
              ),
            ),
            h('p', { class: 'muted small mono' }, `Negotiation ${n.id} · thread ${n.threadId ?? '—'}`),
          ),
        );
      } else if (c.machine !== p?.machine) {
        const box = details.querySelector('.diagram');
        box?.replaceWith(diagram(c.machine, n.state));
      }
      if (changed || c.busy !== p?.busy || c.problems !== p?.problems) {
        replace(decide, decision(c, n));
        replace(actions, h('h3', {}, 'Actions'), controls(c, n));
      }
      const sandboxKey = `${n.id}|${c.info?.sandbox.mail}|${c.info?.sandbox.clock}|${c.clock?.now}|${c.problems.clock}|${c.problems['sandbox-mail']}`;
      if (sandboxKey !== sandboxFor) {
        sandboxFor = sandboxKey;
        replace(
          sandbox,
          c.info?.sandbox.mail && n.threadId ? [influencerComposer(n), problemLine(c, 'sandbox-mail')] : null,
          c.info?.sandbox.clock ? clockControls(c) : null,
        );
      }
    },
  };
}
