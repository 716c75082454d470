// Sandbox only (the agent says so in /api/v1/info; in live mode these never show): answer as the influencer, and
// move the agent's clock so follow-ups (72 h) and stale timers fire without waiting.
import { moveClock, replyAsInfluencer } from '../actions.js';
import { h, when } from '../dom.js';
import { ctx, store } from '../page.js';
import { problemLine } from './needs.js';

/** The composer keeps what is typed in the store (a refresh never loses it). @param {import('../types').Detail} n */
export function influencerComposer(n) {
  const key = `reply:${n.id}`;
  const area = h('textarea', {
    id: `sandbox-reply-${n.id}`,
    rows: '4',
    placeholder: 'e.g. Thanks! My rate for this is $2,400.',
    value: ctx().drafts[key] ?? '',
    oninput: (/** @type {Event} */ e) =>
      store.trigger.drafted({ key, value: /** @type {HTMLTextAreaElement} */ (e.target).value }),
  });
  return h(
    'form',
    {
      class: 'sandbox-box',
      id: 'sandbox-reply',
      onsubmit: async (/** @type {Event} */ e) => {
        e.preventDefault();
        if (await replyAsInfluencer(n, area.value)) {
          area.value = '';
          store.trigger.drafted({ key, value: '' });
        }
      },
    },
    h('h3', {}, `Answer as ${n.influencer.name}`, h('span', { class: 'tag sandbox' }, 'sandbox')),
    h('label', { for: area.id }, 'Their email (written as their mail client would: quotes and signature are fine)'),
    area,
    h(
      'button',
      { type: 'submit', class: 'primary', dataset: { action: 'sandbox-reply' } },
      `Send as ${n.influencer.name}`,
    ),
  );
}

/** @param {import('../store.js').Ctx} c */
export function clockControls(c) {
  const hours = h('input', {
    id: 'clock-hours',
    type: 'number',
    min: '1',
    max: '8760',
    step: '1',
    value: '73',
    class: 'narrow',
  });
  return h(
    'form',
    {
      class: 'sandbox-box',
      id: 'sandbox-clock',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        const n = Number(hours.value);
        if (n > 0) moveClock(n);
      },
    },
    h('h3', {}, "The agent's clock", h('span', { class: 'tag sandbox' }, 'sandbox')),
    h('p', { class: 'muted small' }, 'No reply for 72 h: a follow-up; 72 h more: no answer (stale).'),
    h('label', { for: 'clock-hours' }, 'Move forward by (hours)'),
    hours,
    h('button', { type: 'submit', dataset: { action: 'clock' } }, 'Move the clock'),
    c.clock
      ? h('p', { class: 'small', id: 'clock-now' }, `Agent time: ${when(c.clock.now)} (+${c.clock.offsetHours} h)`)
      : null,
    problemLine(c, 'clock'),
  );
}
