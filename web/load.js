// Loading what is on screen. `refresh()` refetches everything the current view shows (coalescing calls made while
// one runs); each loader hands its answer to the store as an event.
import { ApiError, describe, get, request, Unauthorized } from './api.js';
import { ctx, store } from './page.js';

export const PAGE_SIZE = 50;
const HOME_NEEDS = 20;

/** @param {import('./store.js').Route} route */
export const listKey = (route) => `${route.campaign}|${route.state}`;

export async function loadInfo() {
  store.trigger.infoLoaded({ info: await get('/api/v1/info') });
}

export async function loadCampaigns() {
  store.trigger.campaignsLoaded({ campaigns: await get('/api/v1/campaigns') });
}

/** @param {string} id */
export async function loadStats(id) {
  const path = `/api/v1/campaigns/${encodeURIComponent(id)}`;
  // The send queue (D20) beside the funnel: queued, sent in the last 24 hours, next send at.
  const [stats, queue] = await Promise.all([get(`${path}/stats`), get(`${path}/queue`)]);
  store.trigger.statsLoaded({ stats: { ...stats, queue } });
}

/** The "Needs you" list (its first page on the home view; only the counts elsewhere). @param {boolean} [more] */
export async function loadNeeds(more = false) {
  const c = ctx();
  const home = c.route.view === 'home';
  const query = new URLSearchParams({ limit: String(home ? HOME_NEEDS : 1) });
  if (more && c.needs?.nextCursor) query.set('after', c.needs.nextCursor);
  store.trigger.needsLoaded({ needs: await get(`/api/v1/needs-you?${query}`), more });
}

/**
 * One page of the negotiation list for the current filter. `cursor` null: the first page; `cursors`: the pages
 * before it (for "Previous"). Without arguments the page on screen is fetched again.
 * @param {string | null} [cursor] @param {(string | null)[]} [cursors]
 */
export async function loadList(cursor, cursors) {
  const { route, list } = ctx();
  const key = listKey(route);
  const same = list?.key === key;
  const at = cursor !== undefined ? cursor : same ? (list?.cursor ?? null) : null;
  const before = cursors ?? (same && cursor === undefined ? (list?.cursors ?? []) : []);
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (route.campaign) query.set('campaign', route.campaign);
  if (route.state) query.set('state', route.state);
  if (at) query.set('after', at);
  const { data, headers } = await request('GET', `/api/v1/negotiations?${query}`);
  const total = headers.get('X-Total-Count');
  store.trigger.listLoaded({
    list: {
      key,
      items: data,
      total: total === null ? (same ? (list?.total ?? null) : null) : Number(total),
      cursor: at,
      next: headers.get('X-Next-Cursor'),
      cursors: before,
    },
  });
}

export async function loadDetail() {
  const id = ctx().route.id;
  if (ctx().route.view !== 'negotiation' || !id) return;
  try {
    store.trigger.detailLoaded({ detail: await get(`/api/v1/negotiations/${encodeURIComponent(id)}`) });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) store.trigger.detailGone();
    throw error;
  }
}

export async function loadMachine() {
  if (!ctx().machine) store.trigger.machineLoaded({ machine: await get('/api/v1/machine') });
}

/** @type {Promise<void> | null} */
let running = null;
let again = false;

/** Refetches what the current view shows; calls made while one runs coalesce into one more run. */
export function refresh() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      if (!ctx().ready) {
        try {
          await loadInfo();
        } catch (error) {
          if (!(error instanceof Unauthorized)) store.trigger.failed({ message: describe(error) });
          return;
        }
      }
      const { route } = ctx();
      /** @type {Promise<unknown>[]} */
      const work = [loadNeeds()];
      if (route.view !== 'negotiation') work.push(loadCampaigns());
      if (route.view === 'campaign' && route.id) work.push(loadStats(route.id));
      if (route.view === 'campaign' || route.view === 'list') work.push(loadList());
      if (route.view === 'negotiation') work.push(loadDetail(), loadMachine());
      const results = await Promise.allSettled(work);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed && !(failed.reason instanceof Unauthorized))
        store.trigger.failed({ message: describe(failed.reason) });
    } while (again && !ctx().auth.needed);
  })().finally(() => {
    running = null;
  });
  return running;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
/** @param {number} [delay] */
export function scheduleRefresh(delay = 80) {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (!ctx().auth.needed) refresh();
  }, delay);
}
