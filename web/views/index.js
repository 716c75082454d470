// Which view is on screen: mounted when the route changes, updated on every change of the state after that.
import { $ } from '../dom.js';
import { ctx } from '../page.js';
import { mountCampaign } from './campaign.js';
import { mountConversation } from './conversation.js';
import { mountCreate } from './create.js';
import { mountHome } from './home.js';
import { mountListView } from './list.js';

/** @typedef {import('../store.js').Ctx} Ctx */
/** @typedef {{ update(c: Ctx, p: Ctx | null): void }} View */

/** @type {{ key: string, view: View } | null} */
let current = null;

/** @param {import('../store.js').Route} r */
const keyOf = (r) => `${r.view}|${r.id ?? ''}`;

/** @param {Ctx} c @returns {View} */
function mount(c) {
  const main = $('#main');
  const r = c.route;
  if (r.view === 'negotiation' && r.id) return mountConversation(main, r.id);
  if (r.view === 'campaign' && r.id) return mountCampaign(main, r.id);
  if (r.view === 'list') return mountListView(main);
  if (r.view === 'new') return mountCreate(main);
  return mountHome(main);
}

/** @param {Ctx} c @param {Ctx | null} p */
export function renderView(c, p) {
  if (!c.ready) return;
  const key = keyOf(c.route);
  if (!current || current.key !== key) {
    current = { key, view: mount(c) };
    current.view.update(c, null);
    const main = $('#main');
    if (p?.ready) main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    return;
  }
  current.view.update(c, p);
}

/** Mounts the current view again from scratch (e.g. an emptied form). */
export function remount() {
  current = null;
  renderView(ctx(), null);
}
