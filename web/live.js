// Live updates: GET /api/v1/events read with fetch() (EventSource cannot send the Authorization header),
// reconnecting with backoff. Each change calls `onChange`; there is no periodic polling.
import { authHeaders, refuseToken } from './api.js';
import { ctx, store } from './page.js';

const WATCHDOG_MS = 45_000; // three missed heartbeats (15 s each) and the connection is considered dead

/** @type {{ controller: AbortController, restart: boolean } | null} */
let current = null;
let wake = () => {};

/** Reconnects now (a new token, or none any more). */
export function restartEvents() {
  if (current) {
    current.restart = true;
    current.controller.abort();
  }
  wake();
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve(undefined);
    };
  });
}

/** @param {string} frame @returns {{ id: string, from: string, to: string } | null} */
function parseFrame(frame) {
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
  if (type !== 'negotiation' || !data.length) return null;
  try {
    return JSON.parse(data.join('\n'));
  } catch {
    return null;
  }
}

/**
 * Runs for the page's lifetime. `onConnect` after each (re)connection (to catch up), `onChange` per change.
 * @param {{ onChange(change: { id: string }): void, onConnect(): void }} handlers
 */
export async function runEvents(handlers) {
  let attempt = 0;
  for (;;) {
    if (ctx().auth.needed) {
      store.trigger.liveChanged({ live: 'waiting for token' });
      await sleep(3_600_000);
      continue;
    }
    const controller = new AbortController();
    const mine = { controller, restart: false };
    current = mine;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let watchdog;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => controller.abort(), WATCHDOG_MS);
    };
    const usedToken = ctx().token;
    try {
      arm();
      const res = await fetch('/api/v1/events', {
        headers: { Accept: 'text/event-stream', ...authHeaders() },
        cache: 'no-store',
        signal: controller.signal,
      });
      if (res.status === 401) {
        clearTimeout(watchdog);
        refuseToken(usedToken);
        continue;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      store.trigger.liveChanged({ live: 'live' });
      attempt = 0;
      handlers.onConnect();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        buffer += value;
        for (let end = /\r?\n\r?\n/.exec(buffer); end; end = /\r?\n\r?\n/.exec(buffer)) {
          const change = parseFrame(buffer.slice(0, end.index));
          buffer = buffer.slice(end.index + end[0].length);
          if (change) handlers.onChange(change);
        }
      }
    } catch {
      // dropped, aborted or unreachable: reconnect below
    } finally {
      clearTimeout(watchdog);
    }
    if (mine.restart) {
      attempt = 0;
      continue;
    }
    store.trigger.liveChanged({ live: 'reconnecting' });
    const delay = Math.min(30_000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt = Math.min(attempt + 1, 5);
    await sleep(delay);
  }
}
