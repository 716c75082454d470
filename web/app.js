// The negotiations dashboard: one ES module, no build step, no dependencies.
// Every piece of data comes from the authenticated API (/api/v1/*); every text from it is put on the page with
// textContent / text nodes (email bodies are untrusted), never as HTML.
// Live updates: /api/v1/events read with fetch() (EventSource cannot send the Authorization header); a change
// refetches what is on screen. There is no periodic polling.

const TOKEN_KEY = 'negotiations-dashboard:token';
const TERMINAL = new Set(['agreed', 'rejected', 'stopped']);
const FALLBACK_STATES = [
  'initial_offer',
  'awaiting_reply',
  'counter_received',
  'counter_sent',
  'agreed',
  'rejected',
  'escalated',
  'stale',
  'paused',
  'stopped',
];
const ACTOR = 'dashboard';

// -------------------------------------------------------------------------------------------------------------
// A tiny store (the page state): get, set (shallow merge), subscribe.
// -------------------------------------------------------------------------------------------------------------

function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    set(patch) {
      const next = typeof patch === 'function' ? patch(state) : patch;
      state = { ...state, ...next };
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function readToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function writeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: the token lives in memory for this page only
  }
}

const hashParams = () => new URLSearchParams(location.hash.replace(/^#/, ''));

const store = createStore({
  token: readToken(),
  authNeeded: false,
  authMessage: '',
  campaigns: null, // null = not loaded yet
  negotiations: null,
  filters: { campaign: hashParams().get('campaign') ?? '', state: hashParams().get('state') ?? '' },
  selectedId: hashParams().get('n') ?? null,
  detail: null,
  machine: null,
  live: 'connecting',
  busy: null, // the action in flight
  error: null,
  notice: null,
});

// -------------------------------------------------------------------------------------------------------------
// DOM helpers (no innerHTML anywhere)
// -------------------------------------------------------------------------------------------------------------

const $ = (selector) => document.querySelector(selector);

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** "2600.00" -> "$2,600.00"; the API's money is decimal strings, kept exact (no floats). */
function usd(value) {
  if (value === null || value === undefined || value === '') return '—';
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = '00'] = match;
  return `${sign}$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction.padEnd(2, '0').slice(0, 2)}`;
}

function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

const label = (state) => String(state ?? '').replaceAll('_', ' ');

function badge(state) {
  return h('span', { class: `badge state-${String(state).replace(/[^a-z_]/g, '')}`, dataset: { state } }, label(state));
}

// -------------------------------------------------------------------------------------------------------------
// The API
// -------------------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

class Unauthorized extends Error {}

function authHeaders() {
  const { token } = store.get();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Asks for the token (again): a 401 drops the token that request used (unless it was replaced meanwhile). */
function requireToken(usedToken) {
  if (store.get().token !== usedToken) return; // an answer to a request made with an older token
  const had = Boolean(usedToken);
  writeToken(null);
  store.set({
    token: null,
    authNeeded: true,
    authMessage: had
      ? 'The API refused that token (401). Enter the API token again.'
      : 'The API needs a token (401). Enter the API token.',
  });
  restartEvents();
}

async function api(method, path, body) {
  const usedToken = store.get().token;
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(0, 'network_error', `The agent cannot be reached (${error.message})`);
  }
  if (res.status === 401) {
    requireToken(usedToken);
    throw new Unauthorized('unauthorized');
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const error = data && typeof data === 'object' ? data.error : null;
    throw new ApiError(
      res.status,
      error?.code ?? 'http_error',
      error?.message ? String(error.message) : `HTTP ${res.status} ${res.statusText}`,
    );
  }
  return data;
}

function showError(error) {
  if (error instanceof Unauthorized) return;
  const message =
    error instanceof ApiError ? `${error.message} (${error.status || 'network'}: ${error.code})` : String(error);
  store.set({ error: message });
}

function showNotice(text) {
  store.set({ notice: text });
  setTimeout(() => {
    if (store.get().notice === text) store.set({ notice: null });
  }, 4000);
}

// -------------------------------------------------------------------------------------------------------------
// Loading what is on screen
// -------------------------------------------------------------------------------------------------------------

async function loadCampaigns() {
  const campaigns = await api('GET', '/api/v1/campaigns');
  store.set({ campaigns: Array.isArray(campaigns) ? campaigns : [] });
}

async function loadNegotiations() {
  const { campaign, state } = store.get().filters;
  const query = new URLSearchParams({ limit: '1000' });
  if (campaign) query.set('campaign', campaign);
  if (state) query.set('state', state);
  const negotiations = await api('GET', `/api/v1/negotiations?${query}`);
  store.set({ negotiations: Array.isArray(negotiations) ? negotiations : [] });
}

async function loadDetail() {
  const id = store.get().selectedId;
  if (!id) {
    store.set({ detail: null });
    return;
  }
  try {
    const detail = await api('GET', `/api/v1/negotiations/${encodeURIComponent(id)}`);
    if (store.get().selectedId === id) store.set({ detail });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      store.set({ selectedId: null, detail: null });
      writeHash();
    }
    throw error;
  }
}

async function loadMachine() {
  if (store.get().machine) return;
  store.set({ machine: await api('GET', '/api/v1/machine') });
}

let refreshing = null;
let refreshAgain = false;

/** Refetches everything on screen; calls made while one runs coalesce into one more run. */
function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      const results = await Promise.allSettled([loadCampaigns(), loadNegotiations(), loadDetail(), loadMachine()]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) showError(failed.reason);
    } while (refreshAgain && !store.get().authNeeded);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

let refreshTimer = null;
function scheduleRefresh(delay = 80) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    if (!store.get().authNeeded) refresh();
  }, delay);
}

// -------------------------------------------------------------------------------------------------------------
// Live updates: server-sent events over fetch(), reconnecting with backoff
// -------------------------------------------------------------------------------------------------------------

const WATCHDOG_MS = 45_000; // three missed heartbeats (15 s each) and the connection is considered dead
let events = null; // { controller, restart }
let wakeEvents = () => {};

/** Reconnects now (a new token, or none any more). */
function restartEvents() {
  if (events) {
    events.restart = true;
    events.controller.abort();
  }
  wakeEvents();
}

const sleep = (ms) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wakeEvents = () => {
      clearTimeout(timer);
      resolve();
    };
  });

function handleFrame(frame) {
  let type = 'message';
  const data = [];
  for (const line of frame.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (type !== 'negotiation' || !data.length) return;
  let change;
  try {
    change = JSON.parse(data.join('\n'));
  } catch {
    return;
  }
  const { selectedId } = store.get();
  // Anything on screen may have changed (counts, the list); the open negotiation right away.
  scheduleRefresh(change && change.id === selectedId ? 0 : 80);
}

async function runEvents() {
  let attempt = 0;
  for (;;) {
    if (store.get().authNeeded) {
      store.set({ live: 'waiting for token' });
      await sleep(3_600_000);
      continue;
    }
    const controller = new AbortController();
    const current = { controller, restart: false };
    events = current;
    let watchdog = null;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => controller.abort(), WATCHDOG_MS);
    };
    const usedToken = store.get().token;
    try {
      arm();
      const res = await fetch('/api/v1/events', {
        headers: { Accept: 'text/event-stream', ...authHeaders() },
        cache: 'no-store',
        signal: controller.signal,
      });
      if (res.status === 401) {
        clearTimeout(watchdog);
        requireToken(usedToken);
        continue;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      store.set({ live: 'live' });
      attempt = 0;
      scheduleRefresh(0); // catch up on whatever changed while not connected
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        buffer += value;
        for (let end = /\r?\n\r?\n/.exec(buffer); end; end = /\r?\n\r?\n/.exec(buffer)) {
          handleFrame(buffer.slice(0, end.index));
          buffer = buffer.slice(end.index + end[0].length);
        }
      }
    } catch {
      // dropped, aborted or unreachable: reconnect below
    } finally {
      clearTimeout(watchdog);
    }
    if (current.restart) {
      attempt = 0;
      continue;
    }
    store.set({ live: 'reconnecting' });
    const delay = Math.min(30_000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt = Math.min(attempt + 1, 5);
    await sleep(delay);
  }
}

// -------------------------------------------------------------------------------------------------------------
// Actions
// -------------------------------------------------------------------------------------------------------------

const ACTIONS = {
  pause: { label: 'Pause', can: (n) => !TERMINAL.has(n.state) && n.state !== 'paused' },
  resume: { label: 'Resume', can: (n) => n.state === 'paused' },
  stop: {
    label: 'Stop',
    can: (n) => !TERMINAL.has(n.state),
    confirm: (n) => `Stop the negotiation with ${n.influencer?.name ?? n.id} for good?`,
    danger: true,
  },
  claim: { label: 'Claim (take over)', can: (n) => !TERMINAL.has(n.state) && !n.humanControlled },
  release: { label: 'Release to the agent', can: (n) => n.humanControlled },
  'walk-away': {
    label: 'Walk away',
    can: (n) => n.state === 'escalated',
    confirm: (n) => `Walk away from ${n.influencer?.name ?? n.id}? A polite exit email is sent.`,
    danger: true,
  },
};

async function act(id, action, body = {}) {
  store.set({ busy: action, error: null });
  try {
    const result = await api('POST', `/api/v1/negotiations/${encodeURIComponent(id)}/${action}`, {
      ...body,
      by: ACTOR,
    });
    showNotice(`${label(action)}: ${label(result?.previousState)} → ${label(result?.state)}`);
  } catch (error) {
    showError(error);
  } finally {
    store.set({ busy: null });
    scheduleRefresh(0);
  }
}

async function stopAgency(name) {
  store.set({ busy: 'agency', error: null });
  try {
    const result = await api('POST', `/api/v1/agencies/${encodeURIComponent(name)}/stop`, { by: ACTOR });
    showNotice(`Agency ${result?.agency ?? name}: ${result?.stopped ?? 0} negotiation(s) stopped`);
  } catch (error) {
    showError(error);
  } finally {
    store.set({ busy: null });
    scheduleRefresh(0);
  }
}

// -------------------------------------------------------------------------------------------------------------
// Rendering (each part only when what it shows changed)
// -------------------------------------------------------------------------------------------------------------

const memo = new Map();
function changed(key, deps) {
  const previous = memo.get(key);
  if (previous && previous.length === deps.length && previous.every((d, i) => d === deps[i])) return false;
  memo.set(key, deps);
  return true;
}

function renderAuth(s) {
  const dialog = $('#token-dialog');
  replace($('#token-message'), s.authMessage || 'Enter the API token.');
  if (s.authNeeded && !dialog.open) {
    dialog.showModal();
    $('#token-input').focus();
  } else if (!s.authNeeded && dialog.open) dialog.close();
}

function renderStatus(s) {
  const el = $('#live-status');
  el.dataset.live = s.live;
  el.textContent = s.live === 'live' ? '● live' : s.live;
}

function renderMessages(s) {
  $('#error').hidden = !s.error;
  $('#error-text').textContent = s.error ?? '';
  $('#notice').hidden = !s.notice;
  $('#notice').textContent = s.notice ?? '';
}

function renderCampaigns(s) {
  const box = $('#campaigns');
  if (s.campaigns === null) {
    replace(box, h('p', { class: 'muted' }, s.authNeeded ? 'Waiting for the API token.' : 'Loading…'));
    return;
  }
  if (!s.campaigns.length) {
    replace(box, h('p', { class: 'muted' }, 'No campaigns yet.'));
    return;
  }
  replace(
    box,
    s.campaigns.map((c) => {
      const counts = Object.entries(c.countsByState ?? {}).filter(([, n]) => n > 0);
      const budget = c.budget === null || c.budget === undefined ? null : Number(c.budget);
      const committed = Number(c.budgetCommitted ?? 0);
      const share = budget && budget > 0 ? Math.min(1, committed / budget) : null;
      const selected = s.filters.campaign === c.id;
      return h(
        'article',
        {
          class: `card campaign-card${selected ? ' selected' : ''}`,
          dataset: { campaignId: c.id },
          tabindex: '0',
          role: 'button',
          'aria-pressed': selected ? 'true' : 'false',
          onclick: () => setFilters({ campaign: selected ? '' : c.id }),
          onkeydown: (event) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              setFilters({ campaign: selected ? '' : c.id });
            }
          },
        },
        h('h3', {}, c.client ?? c.id),
        h('p', { class: 'muted' }, c.id, ' · ', c.platform ?? ''),
        h(
          'div',
          { class: 'counts', 'aria-label': 'Negotiations by state' },
          counts.length
            ? counts.map(([state, n]) => h('span', { class: 'count' }, badge(state), ' ', h('b', {}, String(n))))
            : h('span', { class: 'muted' }, 'no negotiations'),
        ),
        h(
          'dl',
          { class: 'stats' },
          h('dt', {}, 'Negotiations'),
          h('dd', { dataset: { field: 'total' } }, String(c.negotiations ?? 0)),
          h('dt', {}, 'Deals agreed'),
          h('dd', { dataset: { field: 'deals' } }, String(c.dealsAgreed ?? 0)),
          h('dt', {}, 'Avg agreed CPM'),
          h('dd', { dataset: { field: 'cpm' } }, usd(c.averageAgreedCpm)),
          h('dt', {}, 'Budget committed'),
          h(
            'dd',
            { dataset: { field: 'budget' } },
            usd(c.budgetCommitted),
            ' of ',
            budget === null ? 'no budget' : usd(c.budget),
          ),
        ),
        share === null
          ? null
          : h('progress', { max: '100', value: String(Math.round(share * 100)), 'aria-label': 'Budget committed' }),
      );
    }),
  );
}

function renderFilters(s) {
  const campaignSelect = $('#filter-campaign');
  const options = [h('option', { value: '' }, 'All campaigns')];
  for (const c of s.campaigns ?? []) options.push(h('option', { value: c.id }, `${c.client ?? c.id} (${c.id})`));
  if (s.filters.campaign && !(s.campaigns ?? []).some((c) => c.id === s.filters.campaign))
    options.push(h('option', { value: s.filters.campaign }, s.filters.campaign));
  replace(campaignSelect, options);
  campaignSelect.value = s.filters.campaign;

  const stateSelect = $('#filter-state');
  const states = s.machine?.domainStates ?? FALLBACK_STATES;
  replace(
    stateSelect,
    h('option', { value: '' }, 'All states'),
    states.map((st) => h('option', { value: st }, label(st))),
  );
  stateSelect.value = s.filters.state;
}

function renderList(s) {
  const body = $('#negotiations tbody');
  if (s.negotiations === null) {
    replace(body, h('tr', {}, h('td', { colspan: '8', class: 'muted' }, 'Loading…')));
    return;
  }
  if (!s.negotiations.length) {
    replace(body, h('tr', {}, h('td', { colspan: '8', class: 'muted' }, 'No negotiations match.')));
    return;
  }
  replace(
    body,
    s.negotiations.map((n) =>
      h(
        'tr',
        {
          class: n.id === s.selectedId ? 'selected' : null,
          dataset: { negotiationId: n.id, state: n.state },
          tabindex: '0',
          onclick: () => select(n.id),
          onkeydown: (event) => {
            if (event.key === 'Enter') select(n.id);
          },
        },
        h(
          'td',
          {},
          h('div', {}, n.influencer?.name ?? '—'),
          h('div', { class: 'muted small' }, n.influencer?.email ?? ''),
        ),
        h('td', {}, n.campaignId ?? ''),
        h(
          'td',
          {},
          badge(n.state),
          n.humanControlled ? h('span', { class: 'tag' }, 'human') : null,
          n.parked ? h('span', { class: 'tag bad', title: n.parked.reason }, 'parked') : null,
        ),
        h('td', { class: 'num' }, String(n.round ?? 0)),
        h('td', { class: 'num' }, usd(n.lastOfferedRate)),
        h('td', { class: 'num' }, usd(n.theirLastAsk)),
        h('td', { class: 'num' }, usd(n.agreedRate)),
        h('td', { class: 'small col-updated' }, when(n.updatedAt)),
      ),
    ),
  );
}

const openEntries = new Set(); // timeline entries whose body the user opened, kept across refreshes
let approveDraft = { id: null, value: '' };

function renderDetail(s) {
  const section = $('#detail');
  const n = s.detail;
  section.hidden = !s.selectedId;
  if (!s.selectedId) return;
  if (!n || n.id !== s.selectedId) {
    replace($('#detail-title'), 'Loading…');
    replace($('#detail-body'));
    return;
  }
  const typing = document.activeElement?.id === 'approve-rate';
  replace($('#detail-title'), n.influencer?.name ?? n.id);
  replace(
    $('#detail-body'),
    h(
      'div',
      { class: 'summary' },
      h(
        'span',
        { class: 'state-line' },
        'State ',
        h('strong', { id: 'detail-state', dataset: { field: 'state', state: n.state } }, badge(n.state)),
      ),
      n.humanControlled ? h('span', { class: 'tag', id: 'detail-human' }, 'under human control') : null,
      n.parked ? h('span', { class: 'tag bad', id: 'detail-parked' }, `parked: ${n.parked.reason}`) : null,
      h(
        'span',
        { class: 'muted small' },
        `${n.id} · campaign ${n.campaignId} · round ${n.round} · updated ${when(n.updatedAt)}`,
      ),
    ),
    renderActions(n, s.busy),
    n.escalation ? renderEscalation(n.escalation) : null,
    h('h3', {}, 'Offers and asks'),
    renderMoney(n),
    h('h3', {}, 'Contacts'),
    renderContacts(n),
    h('h3', {}, 'State diagram'),
    renderDiagram(s.machine, n.state),
    h('h3', {}, 'Timeline'),
    renderTimeline(n.timeline ?? []),
  );
  if (typing) $('#approve-rate')?.focus();
}

function renderActions(n, busy) {
  const buttons = Object.entries(ACTIONS).map(([action, spec]) =>
    h(
      'button',
      {
        type: 'button',
        class: spec.danger ? 'danger' : null,
        dataset: { action },
        disabled: Boolean(busy) || !spec.can(n),
        onclick: () => {
          if (spec.confirm && !window.confirm(spec.confirm(n))) return;
          act(n.id, action);
        },
      },
      busy === action ? `${spec.label}…` : spec.label,
    ),
  );
  const box = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' }, buttons);
  if (n.state !== 'escalated' && approveDraft.id === n.id) approveDraft = { id: null, value: '' };
  if (n.state === 'escalated') {
    const suggested = n.escalation?.suggested ?? n.lastOfferedRate ?? '';
    const value = approveDraft.id === n.id ? approveDraft.value : (suggested ?? '');
    const input = h('input', {
      id: 'approve-rate',
      type: 'text',
      inputmode: 'decimal',
      autocomplete: 'off',
      value,
      'aria-label': 'Approved rate in dollars',
      oninput: (event) => {
        approveDraft = { id: n.id, value: event.target.value };
      },
    });
    const form = h(
      'form',
      {
        class: 'approve',
        onsubmit: (event) => {
          event.preventDefault();
          const rate = input.value.trim().replace(/[$,\s]/g, '');
          if (!rate) return;
          act(n.id, 'approve', { rate }); // the typed amount stays in the box if the API refuses it
        },
      },
      h('label', {}, 'Approve a counter at $ ', input),
      h(
        'button',
        { type: 'submit', dataset: { action: 'approve' }, disabled: Boolean(busy) },
        busy === 'approve' ? 'Approving…' : 'Approve',
      ),
      h(
        'span',
        { class: 'muted small' },
        `between our last offer ${usd(n.lastOfferedRate)} and their ask ${usd(n.theirLastAsk)}`,
      ),
    );
    box.append(form);
  }
  const agency = n.counterparty?.agency;
  if (agency) {
    box.append(
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          dataset: { action: 'stop-agency' },
          disabled: Boolean(busy),
          onclick: () => {
            if (window.confirm(`Stop every open negotiation with agency ${agency}?`)) stopAgency(agency);
          },
        },
        `Stop agency ${agency}`,
      ),
    );
  }
  return box;
}

function renderEscalation(e) {
  return h(
    'div',
    { class: 'escalation' },
    h('strong', {}, 'Escalated: '),
    e.reason ?? '',
    h(
      'div',
      { class: 'small' },
      `Trigger ${e.trigger ?? '—'} · their ask ${usd(e.ask)} · suggested ${usd(e.suggested)}`,
    ),
    e.evidence ? h('blockquote', {}, String(e.evidence)) : null,
    e.draft ? h('details', {}, h('summary', {}, 'Draft email'), h('pre', {}, String(e.draft))) : null,
  );
}

/** Our offers (emails we sent with a rate) against their asks (from the replies read), in order. */
function renderMoney(n) {
  const rows = [];
  for (const e of n.timeline ?? []) {
    if (e.type === 'email_sent' && e.rate)
      rows.push({ at: e.at, who: 'us', what: `offer (${label(e.kind)})`, amount: e.rate });
    if (e.type === 'classified' && e.ask) rows.push({ at: e.at, who: 'them', what: 'ask', amount: e.ask });
    if (e.type === 'approval' && (e.rate ?? e.approved))
      rows.push({ at: e.at, who: 'team', what: 'approved', amount: e.rate ?? e.approved });
  }
  const max = Math.max(1, ...rows.map((r) => Number(r.amount) || 0));
  return h(
    'div',
    { class: 'money' },
    h(
      'dl',
      { class: 'stats' },
      h('dt', {}, 'Our last offer'),
      h('dd', { dataset: { field: 'offer' } }, usd(n.lastOfferedRate)),
      h('dt', {}, 'Their last ask'),
      h('dd', { dataset: { field: 'ask' } }, usd(n.theirLastAsk)),
      h('dt', {}, 'Agreed'),
      h('dd', { dataset: { field: 'agreed' } }, n.agreedRate ? `${usd(n.agreedRate)} (CPM ${usd(n.agreedCpm)})` : '—'),
    ),
    rows.length
      ? h(
          'table',
          { class: 'bars' },
          h(
            'tbody',
            {},
            rows.map((r) => {
              const bar = h('span', { class: `bar ${r.who}` });
              bar.style.width = `${Math.round(((Number(r.amount) || 0) / max) * 100)}%`;
              return h(
                'tr',
                {},
                h('td', { class: 'small' }, when(r.at)),
                h('td', {}, `${r.who === 'us' ? 'We' : r.who === 'them' ? 'They' : 'Team'}: ${r.what}`),
                h('td', { class: 'num' }, usd(r.amount)),
                h('td', { class: 'bar-cell' }, bar),
              );
            }),
          ),
        )
      : h('p', { class: 'muted' }, 'No amounts yet.'),
  );
}

function renderContacts(n) {
  const contacts = Array.isArray(n.contacts) ? n.contacts : [];
  const agency = n.counterparty?.agency;
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'small' },
      `Counterparty: ${label(n.counterparty?.type ?? 'unknown')}`,
      agency ? ` · agency ${agency}` : '',
    ),
    contacts.length
      ? h(
          'table',
          { class: 'contacts' },
          h(
            'thead',
            {},
            h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Email'), h('th', {}, 'Role'), h('th', {}, 'Since')),
          ),
          h(
            'tbody',
            {},
            contacts.map((c) =>
              h(
                'tr',
                {},
                h('td', {}, c.name ?? '—', c.isPrimary ? h('span', { class: 'tag' }, 'primary') : null),
                h('td', {}, c.email ?? ''),
                h('td', {}, label(c.type ?? '')),
                h('td', { class: 'small' }, when(c.firstSeenAt)),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No contacts recorded.'),
  );
}

const TIMELINE_SKIP = new Set(['id', 'at', 'type', 'negotiationId', 'text', 'raw', 'draft']);

function renderTimeline(timeline) {
  if (!timeline.length) return h('p', { class: 'muted' }, 'No activity recorded yet.');
  return h(
    'ol',
    { class: 'timeline' },
    timeline.map((e) => {
      const key = String(e.id);
      let title;
      if (e.type === 'state_transition')
        title = h(
          'span',
          {},
          e.from ? badge(e.from) : 'start',
          ' → ',
          badge(e.to),
          h('span', { class: 'muted small' }, ` ${label(e.event ?? '')}`),
        );
      else if (e.type === 'email_sent')
        title = h('span', {}, h('b', {}, 'Email sent'), ` to ${e.to ?? ''}: ${e.subject ?? ''}`);
      else if (e.type === 'email_received')
        title = h('span', {}, h('b', {}, 'Email received'), ` from ${e.from ?? ''}: ${e.subject ?? ''}`);
      else title = h('b', {}, label(e.type));
      const facts = Object.entries(e)
        .filter(
          ([k, v]) =>
            !TIMELINE_SKIP.has(k) &&
            v !== null &&
            v !== undefined &&
            v !== '' &&
            !(Array.isArray(v) && !v.length) &&
            !(e.type === 'state_transition' && ['from', 'to', 'event'].includes(k)),
        )
        .filter(
          ([k]) =>
            !(
              (e.type === 'email_sent' || e.type === 'email_received') &&
              ['subject', 'to', 'from', 'threadId', 'messageId'].includes(k)
            ),
        )
        .map(
          ([k, v]) =>
            `${k}: ${typeof v === 'object' ? JSON.stringify(v) : /rate|ask|suggested|approved|amount|cpm/i.test(k) && /^\d+\.\d{2}$/.test(String(v)) ? usd(v) : String(v)}`,
        );
      const bodyText = e.text ?? e.draft ?? null;
      let body = null;
      if (bodyText !== null && bodyText !== undefined) {
        body = h(
          'details',
          {
            dataset: { entry: key },
            ontoggle: (event) => (event.target.open ? openEntries.add(key) : openEntries.delete(key)),
          },
          h(
            'summary',
            {},
            e.type === 'email_received' ? 'Their email' : e.type === 'email_sent' ? 'Our email' : 'Text',
          ),
          h('pre', { class: 'email-body' }, String(bodyText)),
        );
        if (openEntries.has(key)) body.open = true;
      }
      return h(
        'li',
        { class: `entry type-${String(e.type).replace(/[^a-z_]/g, '')}`, dataset: { type: e.type } },
        h('time', { datetime: e.at, class: 'small muted' }, when(e.at)),
        h('div', {}, title),
        facts.length ? h('div', { class: 'small facts' }, facts.join(' · ')) : null,
        body,
      );
    }),
  );
}

/** The negotiation machine as nested boxes (from /api/v1/machine), the current domain state marked. */
function renderDiagram(machine, current) {
  if (!machine?.root) return h('p', { class: 'muted' }, 'Loading the machine…');
  const outgoing = new Map();
  for (const edge of machine.edges ?? []) {
    if (!outgoing.has(edge.from)) outgoing.set(edge.from, []);
    outgoing.get(edge.from).push(edge);
  }
  const edgeList = (from) => {
    const list = outgoing.get(from);
    if (!list?.length) return null;
    return h(
      'ul',
      { class: 'edges' },
      list.map((edge) =>
        h(
          'li',
          { title: edge.events.join(', ') },
          '→ ',
          edge.to === 'history' ? 'where it left off' : label(edge.to),
          h('span', { class: 'muted' }, ` ${eventsLabel(edge.events)}`),
        ),
      ),
    );
  };
  const box = (node, depth) => {
    const isCurrent = node.domain && node.domain === current;
    const classes = ['state-node', `type-${node.type}`];
    if (node.domain) classes.push('domain', `state-${node.domain}`);
    if (isCurrent) classes.push('current');
    const children = node.states.filter((c) => c.type !== 'history');
    const history = node.states.find((c) => c.type === 'history');
    return h(
      'div',
      {
        class: classes.join(' '),
        dataset: { stateId: node.id, ...(node.domain ? { domain: node.domain } : {}) },
        'aria-current': isCurrent ? 'true' : null,
        title: node.id,
      },
      h(
        'div',
        { class: 'node-title' },
        label(node.key),
        node.type === 'final' ? h('span', { class: 'muted small' }, ' (final)') : null,
        history ? h('span', { class: 'muted small' }, ` (remembers its ${history.history ?? ''} history)`) : null,
        isCurrent ? h('span', { class: 'here' }, ' ◀ now') : null,
      ),
      edgeList(node.domain ?? node.key),
      children.length
        ? h(
            'div',
            { class: node.domain ? 'children fine' : 'children' },
            children.map((c) => (node.domain || depth > 1 ? chip(c) : box(c, depth + 1))),
          )
        : null,
    );
  };
  const chip = (node) =>
    h(
      'span',
      { class: `fine-state type-${node.type}`, title: node.id },
      label(node.key),
      node.states.filter((c) => c.type !== 'history').length
        ? ` (${node.states
            .filter((c) => c.type !== 'history')
            .map((c) => label(c.key))
            .join(', ')})`
        : '',
    );
  return h(
    'div',
    { class: 'diagram', role: 'img', 'aria-label': `State machine, current state ${label(current)}` },
    machine.root.states.map((c) => box(c, 1)),
  );
}

function eventsLabel(events) {
  const names = new Set(
    events.map((e) => {
      const done = /^xstate\.done\.actor\.(.+)$/.exec(e);
      if (done) return `${done[1]} done`;
      const error = /^xstate\.error\.actor\.(.+)$/.exec(e);
      if (error) return `${error[1]} failed`;
      return e === 'always' ? 'automatic' : e;
    }),
  );
  return `(${[...names].join(', ')})`;
}

function render(s) {
  if (changed('auth', [s.authNeeded, s.authMessage])) renderAuth(s);
  if (changed('status', [s.live])) renderStatus(s);
  if (changed('messages', [s.error, s.notice])) renderMessages(s);
  if (changed('campaigns', [s.campaigns, s.filters, s.authNeeded])) renderCampaigns(s);
  if (changed('filters', [s.campaigns, s.filters, s.machine])) renderFilters(s);
  if (changed('list', [s.negotiations, s.selectedId])) renderList(s);
  if (changed('detail', [s.detail, s.selectedId, s.machine, s.busy])) renderDetail(s);
}

// -------------------------------------------------------------------------------------------------------------
// Navigation (the hash keeps the selection and filters, so a reload or a link lands on the same view)
// -------------------------------------------------------------------------------------------------------------

function writeHash() {
  const { filters, selectedId } = store.get();
  const params = new URLSearchParams();
  if (filters.campaign) params.set('campaign', filters.campaign);
  if (filters.state) params.set('state', filters.state);
  if (selectedId) params.set('n', selectedId);
  const hash = params.toString();
  if (hash !== location.hash.replace(/^#/, '')) history.replaceState(null, '', hash ? `#${hash}` : location.pathname);
}

function setFilters(patch) {
  store.set((s) => ({ filters: { ...s.filters, ...patch } }));
  writeHash();
  loadNegotiations().catch(showError);
}

function select(id) {
  store.set({ selectedId: id, detail: store.get().detail?.id === id ? store.get().detail : null });
  writeHash();
  loadDetail().catch(showError);
}

// -------------------------------------------------------------------------------------------------------------
// Start
// -------------------------------------------------------------------------------------------------------------

function start() {
  store.subscribe(render);
  render(store.get());

  $('#token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('#token-input').value.trim();
    if (!token) return;
    $('#token-input').value = '';
    writeToken(token);
    store.set({ token, authNeeded: false, authMessage: '', error: null });
    restartEvents();
    refresh();
  });
  $('#token-dialog').addEventListener('cancel', (event) => {
    if (store.get().authNeeded) event.preventDefault(); // nothing to show without it
  });
  $('#token-button').addEventListener('click', () => {
    store.set({ authNeeded: true, authMessage: 'Enter the API token (it replaces the one in use).' });
  });
  $('#error-close').addEventListener('click', () => store.set({ error: null }));
  $('#detail-close').addEventListener('click', () => {
    store.set({ selectedId: null, detail: null });
    writeHash();
  });
  $('#home-link').addEventListener('click', (event) => {
    event.preventDefault();
    store.set({ selectedId: null, detail: null, filters: { campaign: '', state: '' } });
    writeHash();
    loadNegotiations().catch(showError);
  });
  $('#filter-campaign').addEventListener('change', (event) => setFilters({ campaign: event.target.value }));
  $('#filter-state').addEventListener('change', (event) => setFilters({ state: event.target.value }));
  $('#filters').addEventListener('submit', (event) => event.preventDefault());
  $('#agency-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('#agency-name').value.trim();
    if (!name) return;
    if (window.confirm(`Stop every open negotiation with agency ${name}?`)) stopAgency(name);
  });
  window.addEventListener('hashchange', () => {
    const params = hashParams();
    store.set({
      filters: { campaign: params.get('campaign') ?? '', state: params.get('state') ?? '' },
      selectedId: params.get('n'),
    });
    refresh();
  });

  // The first load works without a token when the agent has none configured; a 401 asks for it.
  refresh();
  runEvents();
}

start();
