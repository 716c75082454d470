// The one store of this page, created from what the tab remembers (its token) and the URL (the view).
import { parseRoute } from './router.js';
import { createPageStore, initialContext } from './store.js';

const TOKEN_KEY = 'negotiations-dashboard:token';

/** @returns {string | null} */
export function readToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** The token is kept for this tab only (session storage). @param {string | null} token */
export function writeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: the token lives in memory for this page only
  }
}

export const store = createPageStore(initialContext(readToken(), parseRoute(location.hash)));

/** The current state. */
export const ctx = () => store.getSnapshot().context;
