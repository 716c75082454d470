// The view lives in the URL's hash: `#n=<id>` (a negotiation, as Slack links it), `#campaign=<id>`, `#view=list`
// (with `campaign=` and `state=` filters), `#view=new`; nothing is the home view ("Needs you" and campaigns).

/** @typedef {import('./store.js').Route} Route */

/** @param {string} hash @returns {Route} */
export function parseRoute(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const n = p.get('n');
  const campaign = p.get('campaign') ?? '';
  const state = p.get('state') ?? '';
  const view = p.get('view');
  if (n) return { view: 'negotiation', id: n, campaign, state };
  if (view === 'new') return { view: 'new', id: null, campaign: '', state: '' };
  if (view === 'list') return { view: 'list', id: null, campaign, state };
  if (campaign) return { view: 'campaign', id: campaign, campaign, state };
  return { view: 'home', id: null, campaign: '', state: '' };
}

/** @param {Partial<Route> & { view: Route['view'] }} route */
export function hashOf(route) {
  const p = new URLSearchParams();
  if (route.view === 'negotiation' && route.id) p.set('n', route.id);
  else if (route.view === 'new') p.set('view', 'new');
  else if (route.view === 'campaign' && route.id) p.set('campaign', route.id);
  else if (route.view === 'list') p.set('view', 'list');
  if (route.view === 'list' && route.campaign) p.set('campaign', route.campaign);
  if ((route.view === 'list' || route.view === 'campaign') && route.state) p.set('state', route.state);
  const text = p.toString();
  return text ? `#${text}` : '#';
}

/** Goes to a view (a new history entry, so Back returns). @param {Partial<Route> & { view: Route['view'] }} route */
export function go(route) {
  const hash = hashOf(route);
  if (hash === (location.hash || '#')) return;
  location.hash = hash; // the hashchange listener routes the store
}
