// The dashboard: a page of small ES modules served as they are (no build step). The state lives in one
// @xstate/store store (store.js); loaders and actions send it events; the views render it. Live updates come
// from the agent's event stream; nothing polls.
import { restartEvents, runEvents } from './live.js';
import { refresh, scheduleRefresh } from './load.js';
import { ctx, store, writeToken } from './page.js';
import { parseRoute } from './router.js';
import { $ } from './dom.js';
import { renderShell } from './views/shell.js';
import { renderView } from './views/index.js';

/** @type {import('./store.js').Ctx | null} */
let previous = null;
store.subscribe((snapshot) => {
  const c = snapshot.context;
  renderShell(c);
  renderView(c, previous);
  previous = c;
});

$('#token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($('#token-input'));
  const token = input.value.trim();
  if (!token) return;
  input.value = '';
  writeToken(token);
  store.trigger.tokenEntered({ token });
  restartEvents();
  refresh();
});
$('#token-cancel').addEventListener('click', () => store.trigger.tokenCancelled());
$('#token-button').addEventListener('click', () =>
  store.trigger.tokenRequested({ message: 'Enter the API token (it replaces the one in use).' }),
);
$('#error-close').addEventListener('click', () => store.trigger.errorDismissed());
window.addEventListener('hashchange', () => {
  store.trigger.routed({ route: parseRoute(location.hash) });
  refresh();
});

renderShell(ctx());
// The first request tells whether a token is needed (401: only the login shows) and which mode the agent runs in.
refresh();
runEvents({
  onConnect: () => scheduleRefresh(0),
  onChange: (change) => scheduleRefresh(change.id === ctx().route.id ? 0 : 80),
});
