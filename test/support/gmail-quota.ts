/**
 * Gmail's usage limits for the fake Gmail: 250 quota units a second per user (each method has its cost) and a
 * rolling day's sending limit (about 2,000 messages for a Google Workspace mailbox), on the fake's clock.
 */
import type { Route } from './fake-gmail.ts';

/** Quota units per method (developers.google.com/gmail/api/reference/quota). */
const UNITS: Record<Route, number> = {
  getProfile: 1,
  watch: 100,
  'messages.send': 100,
  'messages.get': 5,
  'messages.list': 5,
  'history.list': 2,
  'threads.get': 10,
};
const DAY_MS = 86_400_000;

export interface QuotaRefusal {
  reason: 'rateLimitExceeded' | 'dailyLimitExceeded';
  retryAfterS: number;
  message: string;
}

export function createGmailQuota(opts: { now: () => number; unitsPerSecond?: number; sendsPerDay?: number }) {
  const unitsPerSecond = opts.unitsPerSecond ?? 250;
  const sendsPerDay = opts.sendsPerDay ?? 2_000;
  const spent: { at: number; units: number }[] = []; // the last second's use
  const sendTimes: number[] = []; // accepted sends of the rolling day, oldest first
  const refusals: { route: Route; reason: string; at: number }[] = [];

  return {
    /** Spends the request's units; the refusal instead when a limit says no. */
    take(route: Route): QuotaRefusal | null {
      const t = opts.now();
      while (spent.length && spent[0].at <= t - 1000) spent.shift();
      while (sendTimes.length && sendTimes[0] <= t - DAY_MS) sendTimes.shift();
      const used = spent.reduce((sum, s) => sum + s.units, 0);
      let refusal: QuotaRefusal | null = null;
      if (used + UNITS[route] > unitsPerSecond) {
        const retryAfterS = Math.max(1, Math.ceil((spent[0].at + 1000 - t) / 1000));
        refusal = { reason: 'rateLimitExceeded', retryAfterS, message: 'User-rate limit exceeded.' };
      } else if (route === 'messages.send' && sendTimes.length >= sendsPerDay) {
        const retryAfterS = Math.max(1, Math.ceil((sendTimes[0] + DAY_MS - t) / 1000));
        refusal = { reason: 'dailyLimitExceeded', retryAfterS, message: 'User-rate limit exceeded: sending limit.' };
      }
      if (refusal) refusals.push({ route, reason: refusal.reason, at: t });
      else spent.push({ at: t, units: UNITS[route] });
      return refusal;
    },
    /** A message went out: it counts towards the day. */
    sent() {
      sendTimes.push(opts.now());
    },
    refusals,
  };
}
