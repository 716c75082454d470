// A negotiation's emails as a conversation, in order: ours and theirs, amounts highlighted, quoted history and
// signatures folded away, how the agent read each reply, and what people and the agent decided in between.
import { badge, h, label, usd, when, withAmounts } from '../dom.js';

/** @typedef {import('../types').TimelineEntry} Entry */
/** @typedef {import('../types').Detail} Detail */

const OUR_KIND = /** @type {Record<string, string>} */ ({
  outreach: 'Opening offer',
  counter: 'Counter-offer',
  followup: 'Follow-up',
  confirmation: 'Agreement confirmation',
  exit: 'Walking away',
  answer: 'Answer',
});

/** Which <details> a person opened, kept across refreshes. */
export const opened = new Set();

/** @param {string} key @param {string} summary @param {...import('../dom.js').Child} content */
export function fold(key, summary, ...content) {
  const el = h(
    'details',
    {
      dataset: { fold: key },
      ontoggle: (/** @type {Event} */ e) =>
        /** @type {HTMLDetailsElement} */ (e.target).open ? opened.add(key) : opened.delete(key),
    },
    h('summary', {}, summary),
    ...content,
  );
  if (opened.has(key)) el.open = true;
  return el;
}

/** @param {unknown} v */
const str = (v) => (v === null || v === undefined ? '' : String(v));

/** @param {Detail} n @param {Entry} e @param {Entry | undefined} reading */
function message(n, e, reading) {
  const theirs = e.type === 'email_received';
  const text = str(e.text);
  const kind = theirs ? null : (OUR_KIND[str(e.kind)] ?? label(e.kind));
  return h(
    'li',
    { class: `msg ${theirs ? 'theirs' : 'ours'}`, dataset: { type: e.type, entry: String(e.id) } },
    h(
      'div',
      { class: 'msg-head' },
      h('b', {}, theirs ? (str(e.from) === n.influencer.email ? n.influencer.name : str(e.from)) : 'Us (the agent)'),
      kind ? h('span', { class: 'tag' }, kind) : null,
      !theirs && e.rate ? h('span', { class: 'tag money' }, `offer ${usd(e.rate)}`) : null,
      h('time', { datetime: e.at, class: 'muted small' }, when(e.at)),
    ),
    e.subject ? h('p', { class: 'muted small subject' }, str(e.subject)) : null,
    h(
      'div',
      { class: 'msg-body email-body' },
      text ? withAmounts(text) : h('span', { class: 'muted' }, '(no new text)'),
    ),
    theirs && e.note ? h('p', { class: 'muted small' }, str(e.note)) : null,
    reading
      ? h(
          'p',
          { class: 'read-as small' },
          `Read as ${label(reading.intent)}${reading.ask ? `, asking ${usd(reading.ask)}` : ''}${reading.summary ? ` — ${str(reading.summary)}` : ''}`,
        )
      : null,
    theirs && e.uncertain
      ? h(
          'p',
          { class: 'read-as small warn' },
          'Their new words could not be told apart from the quoted text with confidence.',
        )
      : null,
    e.signature ? h('p', { class: 'signature small' }, str(e.signature)) : null,
    e.quoted ? fold(`quoted:${e.id}`, 'Quoted history', h('pre', { class: 'quoted' }, str(e.quoted))) : null,
  );
}

/** @param {Entry} e @returns {[string, import('../dom.js').Child] | null} */
function event(e) {
  const by = e.by ? ` by ${str(e.by)}` : '';
  switch (e.type) {
    case 'escalation':
      return [
        'warn',
        [
          h('b', {}, `Escalated${e.seq ? ` (#${e.seq})` : ''}: `),
          withAmounts(str(e.reason)),
          e.ask ? ` Their ask ${usd(e.ask)}` : '',
          e.suggested ? `, suggested ${usd(e.suggested)}.` : '',
          e.evidence ? h('q', {}, str(e.evidence)) : null,
        ],
      ];
    case 'approval':
      return ['ok', [h('b', {}, `Approved ${usd(e.rate)}`), by]];
    case 'agreement':
      return ['ok', [h('b', {}, `Agreed at ${usd(e.rate)}`)]];
    case 'walk_away':
      return ['bad', [h('b', {}, 'Walked away'), by]];
    case 'takeover':
      return [
        'person',
        [h('b', {}, 'A person took over the thread'), by, e.sender ? ` (${str(e.sender)} wrote in the thread)` : ''],
      ];
    case 'release':
      return ['person', [h('b', {}, 'Handed back to the agent'), by]];
    case 'control':
      return [
        'person',
        [
          h(
            'b',
            {},
            label(e.action).replace(/^./, (c) => c.toUpperCase()),
          ),
          by,
        ],
      ];
    case 'error':
      return ['bad', [h('b', {}, e.parked ? 'Parked after failures: ' : 'A step failed: '), str(e.message)]];
    case 'notice':
      return ['info', [str(e.notice ?? e.text)]];
    default:
      return null;
  }
}

/** The conversation (newest at the bottom, like a mail thread). @param {Detail} n */
export function conversation(n) {
  const readings = new Map(n.timeline.filter((e) => e.type === 'classified').map((e) => [str(e.messageId), e]));
  const items = [];
  for (const e of n.timeline) {
    if (e.type === 'email_sent' || e.type === 'email_received')
      items.push(message(n, e, e.type === 'email_received' ? readings.get(str(e.messageId)) : undefined));
    else {
      const ev = event(e);
      if (ev)
        items.push(
          h(
            'li',
            { class: `event ${ev[0]}`, dataset: { type: e.type } },
            h('time', { datetime: e.at, class: 'muted small' }, when(e.at)),
            h('span', {}, ev[1]),
          ),
        );
    }
  }
  if (!items.length) return h('p', { class: 'muted' }, 'Nothing yet: the opening email is on its way.');
  return h('ol', { class: 'thread', 'aria-label': `Conversation with ${n.influencer.name}` }, items);
}

/** Our offers and their asks in order, for the track chart. @param {Detail} n */
export function amountTrack(n) {
  /** @type {{ at: string, who: 'us' | 'them' | 'team', amount: string }[]} */
  const points = [];
  for (const e of n.timeline) {
    if (e.type === 'email_sent' && e.rate && e.kind !== 'followup')
      points.push({ at: e.at, who: 'us', amount: str(e.rate) });
    if (e.type === 'classified' && e.ask) points.push({ at: e.at, who: 'them', amount: str(e.ask) });
  }
  return points;
}

/** The machine's own record: every transition with its event and cause (behind "Details"). @param {Detail} n */
export function transitions(n) {
  const rows = n.timeline.filter((e) => e.type === 'state_transition');
  if (!rows.length) return h('p', { class: 'muted' }, 'No transitions recorded.');
  return h(
    'table',
    { class: 'transitions' },
    h('caption', { class: 'sr-only' }, 'State transitions'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'When'),
        h('th', { scope: 'col' }, 'From'),
        h('th', { scope: 'col' }, 'To'),
        h('th', { scope: 'col' }, 'Event'),
        h('th', { scope: 'col' }, 'Cause'),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((e) =>
        h(
          'tr',
          {},
          h('td', { class: 'small' }, when(e.at)),
          h('td', {}, e.from ? badge(e.from) : 'start'),
          h('td', {}, badge(e.to)),
          h('td', { class: 'small' }, str(e.event)),
          h('td', { class: 'small mono' }, str(e.cause)),
        ),
      ),
    ),
  );
}
