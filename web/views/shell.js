// What frames every view: the login (the only thing shown until the agent accepts the token), the header and its
// navigation, the mode, the live status, and the messages.
import { $, replace } from '../dom.js';

/** @typedef {import('../store.js').Ctx} Ctx */

const LIVE = /** @type {Record<string, string>} */ ({
  live: '● live',
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  'waiting for token': 'waiting for the token',
});

/** @param {Ctx} c */
export function renderShell(c) {
  const state = c.auth.needed ? 'login' : c.ready ? 'app' : 'pending';
  document.body.dataset.auth = state;
  $('#login').hidden = state !== 'login';
  $('#app').hidden = state !== 'app';
  if (state === 'login') {
    replace($('#token-message'), c.auth.message || "Enter the agent's API token to continue.");
    $('#token-cancel').hidden = !c.token;
    const input = $('#token-input');
    if (document.activeElement !== input) input.focus();
  }
  for (const link of document.querySelectorAll('[data-nav]')) {
    const nav = /** @type {HTMLElement} */ (link).dataset.nav;
    const here = nav === c.route.view || (nav === 'list' && c.route.view === 'campaign');
    if (here) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const pill = $('#needs-count');
  const total = c.needs?.counts?.total ?? 0;
  pill.hidden = total === 0;
  pill.textContent = String(total);
  pill.setAttribute('aria-label', `${total} waiting`);
  const mode = $('#mode');
  mode.hidden = !c.info;
  mode.textContent = c.info?.mode === 'live' ? 'Live' : 'Sandbox';
  mode.dataset.mode = c.info?.mode ?? '';
  const live = $('#live-status');
  live.dataset.live = c.live;
  live.textContent = LIVE[c.live] ?? c.live;
  $('#error').hidden = !c.error;
  $('#error-text').textContent = c.error ?? '';
  $('#notice').textContent = c.notice ?? '';
}
